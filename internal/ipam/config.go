// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package ipam

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"k8s.io/utils/clock"
	"sigs.k8s.io/controller-runtime/pkg/client"
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
	Backoff Backoff
}

// withDefaults fills zero values.
func (c Config) withDefaults() Config {
	if c.MaxAllocatedIPs == 0 {
		c.MaxAllocatedIPs = DefaultMaxAllocatedIPs
	}
	if c.WriteTimeout == 0 {
		c.WriteTimeout = 30 * time.Second
	}
	if c.ConflictQuarantine == 0 {
		c.ConflictQuarantine = 10 * time.Minute
	}
	if c.Backoff == (Backoff{}) {
		c.Backoff = DefaultBackoff
	}
	return c
}

// Backoff is a capped exponential backoff with jitter. Retries go on for as
// long as the request's context lives: contention costs time, not errors
// (docs/compatibility.md, "Performance").
type Backoff struct {
	// Initial is the first delay.
	Initial time.Duration
	// Max caps the delay before jitter.
	Max time.Duration
	// Factor multiplies the delay after each attempt (>= 1).
	Factor float64
	// Jitter adds up to this fraction of the delay at random (0..1).
	Jitter float64
}

// DefaultBackoff starts at 5ms and doubles up to 500ms, with up to 100%
// jitter so that agents that lost the same race spread out.
var DefaultBackoff = Backoff{Initial: 5 * time.Millisecond, Max: 500 * time.Millisecond, Factor: 2, Jitter: 1}

// Delay returns the wait before retry number attempt (0-based).
func (b Backoff) Delay(attempt int) time.Duration {
	d := float64(b.Initial)
	for i := 0; i < attempt && d < float64(b.Max); i++ {
		d *= max(b.Factor, 1)
	}
	d = min(d, float64(b.Max))
	return time.Duration(d * (1 + b.Jitter*rand.Float64())) //nolint:gosec // jitter needs no crypto
}

// Deps are the service's collaborators.
type Deps struct {
	// Cache reads the agent's informer cache: pods of this node,
	// namespaces, this node, SpiderIPPools, SpiderReservedIPs,
	// SpiderEndpoints, and ReplicaSet/Job metadata for the top controller.
	Cache client.Reader
	// API reads the API server directly, for fresh reads: a pool after a
	// write conflict, the pod, endpoint and StatefulSet at release.
	API client.Reader
	// Store writes pools' status and SpiderEndpoints.
	Store Store
	// Clock paces backoff and the conflict quarantine; nil means the real
	// clock.
	Clock clock.Clock
	// Observer is told of queue waits and write conflicts inside the pool
	// queues (metrics); nil means nobody.
	Observer Observer
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
