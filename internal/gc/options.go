// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package gc

import (
	"errors"
	"fmt"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"k8s.io/utils/clock"
	"sigs.k8s.io/controller-runtime/pkg/metrics"

	"github.com/spiderpool-go/spiderpool/internal/config"
	"github.com/spiderpool-go/spiderpool/internal/store"
	"github.com/spiderpool-go/spiderpool/internal/workload"
)

// Defaults used when a field of Options.GC is zero.
const (
	defaultInterval = 600 * time.Second
	defaultWorkers  = 3
)

// errBadOptions is returned by Setup for options it cannot run with.
var errBadOptions = errors.New("invalid IP GC options")

// Options configures the IP garbage collector. The zero value, with
// GC.Enabled false, registers nothing.
type Options struct {
	// GC is the SPIDERPOOL_GC_* environment
	// (docs/reference/interface.md §4.3). Used here: Enabled (master
	// switch), the two terminating-pod node switches,
	// StatelessRunningPodOnEmptyPodStatusIPs, AdditionalGraceDelay,
	// DefaultInterval (full scan period) and WorkerNum (concurrent
	// reconciles). The trace-database knobs of Spiderpool (TracePodGap,
	// ChannelBuffer, MaxPodEntryDBCap, SignalTimeout, HTTPRequestTimeGap,
	// PodEntryMaxRetries) have no counterpart: the work queue replaces the
	// trace database (docs/gc.md).
	GC config.GCEnv

	// EnableStatefulSet is the ConfigMap's enableStatefulSet: a StatefulSet
	// pod whose ordinal is still within replicas keeps its addresses and
	// endpoint while it is re-created.
	EnableStatefulSet bool

	// EnableKubevirtStaticIP is the ConfigMap's enableKubevirtStaticIP: the
	// addresses of a KubeVirt VM (endpoint named after the VMI) are kept
	// while its VMI or VM is wanted.
	EnableKubevirtStaticIP bool

	// EnableCleanOutdatedEndpoint is the ConfigMap's
	// enableCleanOutdatedEndpoint: a SpiderEndpoint whose pod is gone and
	// that holds no record in any pool any more is deleted. Without it such
	// an endpoint is left as it is.
	EnableCleanOutdatedEndpoint bool

	// ClaimStorage is the controller's SPIDERPOOL_CLAIM_STORAGE: addresses
	// are held by SpiderIPClaims, whose projection into the pools' status is
	// written by the claim projector alone. A release then deletes the
	// incarnation's claims and never writes a pool's status, and claims are
	// judged beside the pool records (docs/gc.md, "GC with the claim
	// storage").
	ClaimStorage bool

	// Clock measures grace periods and paces the full scan; nil means the
	// real clock.
	Clock clock.WithTicker

	// Registerer receives the GC counters; nil means controller-runtime's
	// metrics.Registry, which the manager serves.
	Registerer prometheus.Registerer

	// Backoff paces the retries of a pool or endpoint write that lost an
	// optimistic-concurrency race; the zero value means store.DefaultBackoff.
	Backoff store.Backoff
}

// NewOptions returns the options of the controller's GC environment and
// spiderpool-conf ConfigMap.
func NewOptions(env config.GCEnv, cm config.ConfigMap) Options {
	return Options{
		GC:                          env,
		EnableStatefulSet:           cm.EnableStatefulSet,
		EnableKubevirtStaticIP:      cm.EnableKubevirtStaticIP,
		EnableCleanOutdatedEndpoint: cm.EnableCleanOutdatedEndpoint,
	}
}

// withDefaults fills the zero fields and checks the others.
func (o Options) withDefaults() (Options, error) {
	if o.GC.DefaultInterval < 0 || o.GC.AdditionalGraceDelay < 0 || o.GC.WorkerNum < 0 {
		return o, fmt.Errorf("%w: negative interval, grace delay or worker count", errBadOptions)
	}
	if o.GC.DefaultInterval == 0 {
		o.GC.DefaultInterval = defaultInterval
	}
	if o.GC.WorkerNum == 0 {
		o.GC.WorkerNum = defaultWorkers
	}
	if o.Clock == nil {
		o.Clock = clock.RealClock{}
	}
	if o.Registerer == nil {
		o.Registerer = metrics.Registry
	}
	if o.Backoff == (store.Backoff{}) {
		o.Backoff = store.DefaultBackoff
	}
	return o, nil
}

// rules returns the static rules the options enable.
func (o *Options) rules() workload.Rules {
	return workload.Rules{EnableStatefulSet: o.EnableStatefulSet, EnableKubevirtStaticIP: o.EnableKubevirtStaticIP}
}
