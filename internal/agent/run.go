// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package agent

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/go-logr/logr"
	"github.com/prometheus/client_golang/prometheus"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"

	ipamclaimsv1alpha1 "github.com/spiderpool-go/spiderpool/api/ipamclaims/v1alpha1"
	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
	"github.com/spiderpool-go/spiderpool/internal/agentapi"
	"github.com/spiderpool-go/spiderpool/internal/agentserver"
	"github.com/spiderpool-go/spiderpool/internal/autopool"
	"github.com/spiderpool-go/spiderpool/internal/ipam"
	"github.com/spiderpool-go/spiderpool/internal/ipam/claimq"
	"github.com/spiderpool-go/spiderpool/internal/ipam/poolview"
	"github.com/spiderpool-go/spiderpool/internal/metrics"
	"github.com/spiderpool-go/spiderpool/internal/quarantine"
	"github.com/spiderpool-go/spiderpool/internal/store/kube"
)

// Options configure the agent.
type Options struct {
	// IPAM is the IPAM service configuration (ConfigMap and environment).
	IPAM ipam.Config
	// SocketPath is where the agent serves the CNI plugin (ipamUnixSocketPath).
	SocketPath string
	// ReleaseQueueDir holds releases waiting to be retried; empty means
	// agentapi.ReleaseQueueDir(SocketPath), where the plugin queues too.
	ReleaseQueueDir string
	// HealthAddr serves /v1/runtime/{startup,readiness,liveness}; empty
	// disables it.
	HealthAddr string
	// EnableGatewayDetection and EnableIPConflictDetection are passed to the
	// plugin with every address (ConfigMap keys of the same names). The
	// plugin does not probe yet; the agent warns at start when either is on.
	EnableGatewayDetection, EnableIPConflictDetection bool
	// EnableReleaseConflictIPs is SPIDERPOOL_ENABLED_RELEASE_CONFLICT_IPS:
	// when false, a conflict batch release (isReleaseConflictIPs) is refused
	// with Spiderpool's 521.
	EnableReleaseConflictIPs bool
	// DrainInterval paces retries of queued releases; 0 means 5s. A release
	// that fails permanently is retried with growing pauses (up to 5 min)
	// and given up after 24 h in the queue.
	DrainInterval time.Duration
	// TuneSysctls applies the host sysctls of tuneSysctlConfig at start
	// (docs/reference/behaviour.md §9.6), under SysctlRoot
	// (DefaultSysctlRoot when empty).
	TuneSysctls bool
	SysctlRoot  string
	// ClaimStorage is SPIDERPOOL_CLAIM_STORAGE: allocate and release by
	// SpiderIPClaims (internal/ipam/claimq) instead of writing the pools'
	// status; the controller projects the claims into it. Off by default.
	ClaimStorage bool
	// MetricsAddr serves the Prometheus metrics on every path
	// (SPIDERPOOL_METRIC_HTTP_PORT when SPIDERPOOL_ENABLED_METRIC is true);
	// empty disables it.
	MetricsAddr string
	// EnableRDMAMetric is SPIDERPOOL_ENABLED_RDMA_METRIC: export the RDMA
	// device counters (docs/metrics.md).
	EnableRDMAMetric bool
}

// Run runs the agent until ctx ends.
func Run(ctx context.Context, opts Options, cfg *rest.Config) error {
	a, err := newAgent(ctx, opts, cfg)
	if err != nil {
		return err
	}
	return a.run(ctx)
}

type agent struct {
	opts Options
	// cacheOptions are what the cache watches (cacheOptions).
	cacheOptions cache.Options
	cache        cache.Cache
	svc          *ipam.Service
	handler      *handler
	queue        *agentapi.ReleaseQueue
	drainer      *queueDrainer
	metrics      *prometheus.Registry
	reprobe      *reprober
	rdma         *rdmaMetrics
	// claims indexes the claim informer's objects for the allocations
	// (claim storage only).
	claims *claimq.Index
}

func newScheme() (*runtime.Scheme, error) {
	s := runtime.NewScheme()
	if err := errors.Join(clientgoscheme.AddToScheme(s), spiderpoolv2beta1.AddToScheme(s), ipamclaimsv1alpha1.AddToScheme(s)); err != nil {
		return nil, fmt.Errorf("agent scheme: %w", err)
	}
	return s, nil
}

// Client rate limits of the agent's API client, Spiderpool's
// (docs/reference/behaviour.md §2.3, "Caches"); controller-runtime's
// defaults (20, 30) would queue the reads and writes of a burst of CNI calls
// in the client.
const (
	clientQPS   = 50
	clientBurst = 100
)

func newAgent(ctx context.Context, opts Options, cfg *rest.Config) (*agent, error) {
	cfg = rest.CopyConfig(cfg)
	cfg.QPS, cfg.Burst = clientQPS, clientBurst
	cfg.WarningHandlerWithContext = apiWarnings()
	scheme, err := newScheme()
	if err != nil {
		return nil, err
	}
	api, err := client.New(cfg, client.Options{Scheme: scheme})
	if err != nil {
		return nil, fmt.Errorf("agent client: %w", err)
	}
	co := cacheOptions(opts.IPAM.NodeName, opts.ClaimStorage, scopeEndpoints(ctx, api, opts.IPAM.NodeName, endpointScopeWait))
	co.Scheme = scheme
	c, err := cache.New(cfg, co)
	if err != nil {
		return nil, fmt.Errorf("agent cache: %w", err)
	}
	reader, err := newRoutedReader(c, api, scheme, co)
	if err != nil {
		return nil, err
	}
	reg, m, err := newRegistry()
	if err != nil {
		return nil, fmt.Errorf("agent metrics: %w", err)
	}
	pools := poolview.New(c, api)
	var ops ipam.PoolOps // nil: the pool queues over status.allocatedIPs
	var index *claimq.Index
	if opts.ClaimStorage {
		index = claimq.NewIndex()
		ops = claimq.New(claimq.Deps{Pools: pools, Claims: c, API: api, Writer: api, Node: opts.IPAM.NodeName,
			MaxRecords: opts.IPAM.MaxAllocatedIPs, Index: index, Observer: ipam.PoolObserver(m)})
	}
	svc, err := ipam.New(opts.IPAM, ipam.Deps{Cache: reader, Pools: pools, API: api, Store: kube.New(api), Observer: m,
		AutoPools: &autopool.Reconciler{Client: api, APIReader: api}, PoolOps: ops})
	if err != nil {
		return nil, fmt.Errorf("agent IPAM service: %w", err)
	}
	if opts.ReleaseQueueDir == "" {
		opts.ReleaseQueueDir = agentapi.ReleaseQueueDir(opts.SocketPath)
	}
	queue := agentapi.NewReleaseQueue(opts.ReleaseQueueDir, agentapi.DefaultReleaseQueueMax)
	qm, err := metrics.NewReleaseQueue(reg, queue.Len)
	if err != nil {
		return nil, fmt.Errorf("agent metrics: %w", err)
	}
	rdma, served := newRDMAMetrics(opts.EnableRDMAMetric, opts.IPAM.NodeName, svc)
	a := &agent{opts: opts, cacheOptions: co, cache: c, svc: svc, metrics: reg, queue: queue, rdma: rdma, claims: index,
		handler: newHandler(newMeasuredIPAM(served, m), opts.IPAM.NodeName, detection{opts.EnableGatewayDetection, opts.EnableIPConflictDetection}),
		drainer: newQueueDrainer(queue, svc.Release, qm)}
	a.handler.onReleaseError = a.keepRelease
	a.handler.releaseConflictIPs = opts.EnableReleaseConflictIPs
	dm, err := metrics.NewDetection(reg)
	if err != nil {
		return nil, fmt.Errorf("agent metrics: %w", err)
	}
	a.handler.findings = &findings{store: quarantine.Store{Client: api}, counter: dm, events: api, node: opts.IPAM.NodeName, now: time.Now}
	a.reprobe = &reprober{book: quarantine.Store{Client: api}, node: opts.IPAM.NodeName, quiet: quarantine.DefaultQuiet,
		now: time.Now, netns: "/proc/self/ns/net"}
	return a, nil
}

func (a *agent) run(ctx context.Context) error {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	log := logr.FromContextOrDiscard(ctx)
	logDetection(log, a.opts)
	if a.opts.TuneSysctls {
		log.Info("host sysctls set (tuneSysctlConfig)", "sysctls", tuneSysctls(log, cmp.Or(a.opts.SysctlRoot, DefaultSysctlRoot)))
	}
	if err := a.registerInformers(ctx); err != nil {
		return err
	}
	go func() { cancel(a.cache.Start(ctx)) }()
	srv := agentserver.New(a.handler)
	srv.HandleCoordinator(coordinatorSource{reader: a.cache})
	go func() { cancel(srv.ListenAndServe(ctx, a.opts.SocketPath)) }()
	if a.opts.HealthAddr != "" {
		go func() { cancel(serveHealth(ctx, a.opts.HealthAddr, a.handler)) }()
	}
	if err := a.rdma.register(ctx, a.metrics); err != nil {
		return err
	}
	if a.opts.MetricsAddr != "" {
		go func() { cancel(metrics.Serve(ctx, a.opts.MetricsAddr, a.metrics)) }()
	}
	if err := a.becomeReady(ctx); err != nil {
		return err
	}
	log.Info("spiderpool-agent ready", "node", a.opts.IPAM.NodeName, "socket", a.opts.SocketPath)
	if a.reprobe != nil {
		go a.reprobe.run(ctx)
	}
	a.drainLoop(ctx)
	if err := context.Cause(ctx); err != nil && !errors.Is(err, context.Canceled) {
		return err
	}
	return nil
}

// becomeReady waits for the cache, restores the existing allocations and
// only then lets IPAM calls in.
func (a *agent) becomeReady(ctx context.Context) error {
	if !a.cache.WaitForCacheSync(ctx) {
		return fmt.Errorf("agent cache did not sync: %w", context.Cause(ctx))
	}
	a.handler.setNotReady("restoring existing allocations")
	for {
		err := a.svc.Restore(ctx)
		if err == nil {
			break
		}
		logr.FromContextOrDiscard(ctx).Error(err, "restore allocations; retrying")
		select {
		case <-ctx.Done():
			return fmt.Errorf("agent restore: %w", context.Cause(ctx))
		case <-time.After(2 * time.Second):
		}
	}
	a.handler.setReady()
	return nil
}

// registerInformers creates the informers of cacheOptions up front: the
// cache fails reads of anything else rather than starting an informer.
func (a *agent) registerInformers(ctx context.Context) error {
	for obj := range a.cacheOptions.ByObject {
		inf, err := a.cache.GetInformer(ctx, obj)
		if err != nil {
			return fmt.Errorf("agent informer for %T: %w", obj, err)
		}
		if m, ok := obj.(*metav1.PartialObjectMetadata); ok && m.GroupVersionKind() == poolview.Kind {
			if _, err := inf.AddEventHandler(poolEvents(a.svc)); err != nil {
				return fmt.Errorf("agent SpiderIPPool event handler: %w", err)
			}
		}
		if _, ok := obj.(*ipamclaimsv1alpha1.SpiderIPClaim); ok && a.claims != nil {
			reg, err := inf.AddEventHandler(a.claims)
			if err != nil {
				return fmt.Errorf("agent SpiderIPClaim index: %w", err)
			}
			a.claims.SetSynced(reg.HasSynced)
		}
	}
	return nil
}
