// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package ipam

import (
	"errors"
	"fmt"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/utils/clock"
	"sigs.k8s.io/controller-runtime/pkg/client"

	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
	"github.com/spiderpool-go/spiderpool/internal/ipam/poolq"
	"github.com/spiderpool-go/spiderpool/internal/store"
	"github.com/spiderpool-go/spiderpool/internal/workload"
)

// DefaultMaxAllocatedIPs is SPIDERPOOL_IPPOOL_MAX_ALLOCATED_IPS's default:
// the most records one pool may hold.
const DefaultMaxAllocatedIPs = 5000

// Config is the agent configuration the service uses
// (docs/reference/interface.md §4.1, §4.2).
type Config struct {
	// EnableIPv4 and EnableIPv6 are the ConfigMap's enableIPv4/enableIPv6:
	// candidates of a disabled family are dropped.
	EnableIPv4, EnableIPv6 bool
	// EnableStatefulSet is enableStatefulSet: StatefulSet pods keep their
	// addresses across re-creation while their ordinal is in range.
	EnableStatefulSet bool
	// EnableKubevirtStaticIP is enableKubevirtStaticIP: the endpoints of
	// KubeVirt VMs keep their addresses while the VM is wanted.
	EnableKubevirtStaticIP bool
	// EnableSpiderSubnet and EnableAutoPoolForApplication are the
	// ConfigMap's switches of SpiderSubnet auto-created pools: a pod that
	// asks for a subnet fails its ADD, naming the switch, unless both are
	// on.
	EnableSpiderSubnet, EnableAutoPoolForApplication bool
	// DefaultRedundantIPNumber is the N of an auto-created pool's "+N"
	// size when the application has no ippool-ip-number annotation
	// (clusterSubnetDefaultFlexibleIPNumber).
	DefaultRedundantIPNumber int
	// AutoPoolWait bounds how long an ADD waits for its application's
	// auto-created pool to appear at its desired size
	// (SPIDERPOOL_WAIT_SUBNET_POOL_TIME_IN_SECOND ×
	// SPIDERPOOL_WAIT_SUBNET_POOL_MAX_RETRIES); 0 means 50s.
	AutoPoolWait time.Duration
	// MaxAllocatedIPs is SPIDERPOOL_IPPOOL_MAX_ALLOCATED_IPS; 0 means
	// DefaultMaxAllocatedIPs.
	MaxAllocatedIPs int
	// AgentNamespace is SPIDERPOOL_POD_NAMESPACE, the namespace of bare
	// spec.multusName entries and of a namespace-less cluster network.
	AgentNamespace string
	// ClusterNetwork is MULTUS_CLUSTER_NETWORK, the network of eth0 for
	// spec.multusName when the pod does not override it.
	ClusterNetwork string
	// NodeName is SPIDERPOOL_NODE_NAME, recorded in SpiderEndpoints.
	NodeName string
	// WriteTimeout bounds one API write. A write that has started is not
	// cut short when the caller gives up, so its outcome is always known;
	// 0 means 30s.
	WriteTimeout time.Duration
	// ConflictQuarantine is how long an address reported in conflict is
	// kept from the pod that reported it; 0 means 10 minutes.
	ConflictQuarantine time.Duration
	// Backoff paces retries after a conflict; the zero value means
	// DefaultBackoff.
	Backoff store.Backoff
}

// withDefaults fills zero values.
func (c Config) withDefaults() Config {
	if c.MaxAllocatedIPs == 0 {
		c.MaxAllocatedIPs = DefaultMaxAllocatedIPs
	}
	if c.WriteTimeout == 0 {
		c.WriteTimeout = 30 * time.Second
	}
	if c.AutoPoolWait == 0 {
		c.AutoPoolWait = 50 * time.Second
	}
	if c.ConflictQuarantine == 0 {
		c.ConflictQuarantine = 10 * time.Minute
	}
	if c.Backoff == (store.Backoff{}) {
		c.Backoff = store.DefaultBackoff
	}
	return c
}

// Deps are the service's collaborators.
type Deps struct {
	// Cache reads the agent's informer cache: pods of this node,
	// namespaces, this node, SpiderIPPools, SpiderReservedIPs,
	// SpiderEndpoints, and ReplicaSet/Job metadata for the top controller.
	// It may hold only the SpiderEndpoints that record this node: one it
	// lacks is read from API where it may exist elsewhere (a StatefulSet
	// pod or a VM that moved here), and is otherwise found by the create
	// it makes fail.
	Cache client.Reader
	// API reads the API server directly, for fresh reads: a pool after a
	// write conflict, the pod, endpoint and StatefulSet at release.
	API client.Reader
	// Store writes pools' status and SpiderEndpoints.
	Store store.Store
	// Clock paces backoff and the conflict quarantine; nil means the real
	// clock.
	Clock clock.Clock
	// Observer is told of queue waits and write conflicts inside the pool
	// queues (metrics); nil means nobody.
	Observer Observer
	// Pools reads SpiderIPPools; nil reads whole pools from Cache (which
	// must then hold an informer of SpiderIPPool).
	Pools PoolReader
	// AutoPools creates or resizes the auto-created pools of pods owned by
	// third-party controllers, which no controller sizes ahead; nil makes
	// such pods fail their ADD.
	AutoPools AutoPoolEnsurer
	// PoolOps performs the pool operations; nil means the per-pool queues
	// over the pools' status (internal/ipam/poolq) on Pools, API and Store.
	// The claim storage (internal/ipam/claimq) is the other one.
	PoolOps PoolOps
}

// PoolOps performs the pool operations of allocations and releases
// (poolq.Op): the per-pool queues over status.allocatedIPs, or the claim
// storage.
type PoolOps interface {
	// Submit performs op on pool and returns its outcome, also after
	// op.Ctx is done: the caller learns whether an address was taken.
	Submit(pool string, op *poolq.Op) poolq.Result
	// Restore installs the pools read at start-up or a resynchronisation.
	Restore(pools []spiderpoolv2beta1.SpiderIPPool, reserved poolq.Reserved)
	// Stats returns cumulative counters.
	Stats() poolq.Stats
}

// errMissingDep is returned by New for a nil dependency.
var errMissingDep = errors.New("missing dependency")

func (d Deps) check() error {
	switch {
	case d.Cache == nil:
		return fmt.Errorf("%w: Cache reader", errMissingDep)
	case d.API == nil:
		return fmt.Errorf("%w: API reader", errMissingDep)
	case d.Store == nil:
		return fmt.Errorf("%w: Store", errMissingDep)
	}
	return nil
}

// rules returns the static-address rules of the configuration.
func (s *Service) rules() staticRules {
	return staticRules{workload.Rules{EnableStatefulSet: s.cfg.EnableStatefulSet, EnableKubevirtStaticIP: s.cfg.EnableKubevirtStaticIP}}
}

// staticRules are workload.Rules as the service applies them.
type staticRules struct{ workload.Rules }

// isStatefulSet reports whether pod keeps its addresses across
// re-creation as a StatefulSet pod.
func (r staticRules) isStatefulSet(pod *corev1.Pod) bool {
	st, _ := r.OfPod(pod)
	return st == workload.StaticStatefulSet
}
