// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package nodesim

import (
	"context"
	"fmt"
	"path/filepath"
	"time"

	"github.com/go-logr/logr"
	coordinationv1 "k8s.io/api/coordination/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/util/workqueue"
	"k8s.io/utils/ptr"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/builder"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/config"
	"sigs.k8s.io/controller-runtime/pkg/controller"
	"sigs.k8s.io/controller-runtime/pkg/event"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	logf "sigs.k8s.io/controller-runtime/pkg/log"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"
	"sigs.k8s.io/controller-runtime/pkg/source"
)

// Run simulates the node described by cfg against the API server of
// restConfig until ctx is done. The logger is taken from ctx, else it is
// controller-runtime's global logger (ctrl.SetLogger).
func Run(ctx context.Context, cfg Config, restConfig *rest.Config) error {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return err
	}
	log := logf.FromContext(ctx).WithValues("node", cfg.NodeName)
	ctx = logr.NewContext(ctx, log)
	mgr, err := newManager(cfg, restConfig, log)
	if err != nil {
		return err
	}
	if err := mgr.Add(&nodeAgent{client: mgr.GetClient(), cfg: cfg, now: time.Now, log: log}); err != nil {
		return fmt.Errorf("add node agent: %w", err)
	}
	if !cfg.IgnorePods {
		runner := newPodRunner(cfg, mgr.GetClient(), mgr.GetAPIReader(), restConfig)
		if err := mgr.Add(runner); err != nil {
			return fmt.Errorf("add pod runner: %w", err)
		}
		if err := addPodController(mgr, cfg, runner); err != nil {
			return err
		}
	}
	if err := mgr.Start(ctx); err != nil {
		return fmt.Errorf("node simulator %s: %w", cfg.NodeName, err)
	}
	return nil
}

// newManager builds a manager whose cache holds only the pods bound to this
// node. Nodes and Leases are read from the API server, not cached, and there
// is no metrics or health endpoint, so many simulators share one host.
func newManager(cfg Config, restConfig *rest.Config, log logr.Logger) (ctrl.Manager, error) {
	mgr, err := ctrl.NewManager(restConfig, ctrl.Options{
		Scheme:  clientgoscheme.Scheme,
		Logger:  log,
		Metrics: metricsserver.Options{BindAddress: "0"},
		Cache: cache.Options{ByObject: map[client.Object]cache.ByObject{
			&corev1.Pod{}: {Field: fields.OneTermEqualSelector("spec.nodeName", cfg.NodeName)},
		}},
		Client: client.Options{Cache: &client.CacheOptions{
			DisableFor: []client.Object{&corev1.Node{}, &coordinationv1.Lease{}},
		}},
		Controller: config.Controller{SkipNameValidation: ptr.To(true)},
	})
	if err != nil {
		return nil, fmt.Errorf("create manager: %w", err)
	}
	return mgr, nil
}

// addPodController wires the pod reconciler: it watches the cached pods, a
// one-off channel that names the pods of the sandbox records found at start,
// so sandboxes of pods deleted while the simulator was down are torn down,
// and the runner's channel of container state changes; and the teardown
// lane, which tears down deleted and terminating pods with its own workers.
func addPodController(mgr ctrl.Manager, cfg Config, runner *podRunner) error {
	rt := &sandboxRuntime{
		cni:         newCNIRunner(cfg.CNIBinDirs, cfg.CNICacheDir, cfg.HostNetNS),
		store:       sandboxStore{dir: filepath.Join(cfg.StateDir, "sandboxes")},
		netnsDir:    cfg.NetNSDir,
		netnsPrefix: cfg.NetNSPrefix,
		now:         time.Now,
	}
	leftovers, err := leftoverEvents(rt.store)
	if err != nil {
		return err
	}
	r := &podReconciler{
		client:   mgr.GetClient(),
		resolver: networkResolver{reader: mgr.GetAPIReader(), cniConfDir: cfg.CNIConfDir, agentNamespace: cfg.AgentNamespace, spiderpoolSocket: cfg.SpiderpoolSocket},
		runtime:  rt,
		runner:   runner,
		recorder: mgr.GetEventRecorderFor("kubelet"),
		nodeName: cfg.NodeName,
		nodeIP:   cfg.NodeIP,
	}
	locks := &keyLocks{}
	err = ctrl.NewControllerManagedBy(mgr).
		Named("nodesim-pod").
		For(&corev1.Pod{}).
		WatchesRawSource(source.Channel(leftovers, &handler.EnqueueRequestForObject{})).
		WatchesRawSource(source.Channel(runner.events, &handler.EnqueueRequestForObject{})).
		WithOptions(podControllerOptions(cfg, cfg.MaxConcurrentPods)).
		Complete(lockedReconciler{locks: locks, inner: r})
	if err != nil {
		return fmt.Errorf("create pod controller: %w", err)
	}
	// The teardown lane (teardown.go): deleted and terminating pods do not
	// wait for workers busy setting other pods up.
	err = ctrl.NewControllerManagedBy(mgr).
		Named("nodesim-pod-teardown").
		For(&corev1.Pod{}, builder.WithPredicates(goneOrTerminating())).
		WithOptions(podControllerOptions(cfg, cfg.MaxConcurrentTeardowns)).
		Complete(lockedReconciler{locks: locks, inner: teardownReconciler{r}})
	if err != nil {
		return fmt.Errorf("create pod teardown controller: %w", err)
	}
	return nil
}

// podControllerOptions bounds a pod lane's workers and backs a failing pod
// off exponentially.
func podControllerOptions(cfg Config, workers int) controller.Options {
	return controller.Options{
		MaxConcurrentReconciles: workers,
		RateLimiter:             workqueue.NewTypedItemExponentialFailureRateLimiter[reconcile.Request](cfg.RetryBaseDelay, cfg.RetryMaxDelay),
	}
}

// leftoverEvents returns a channel holding one event per sandbox record.
func leftoverEvents(store sandboxStore) (<-chan event.GenericEvent, error) {
	recs, err := store.list()
	if err != nil {
		return nil, err
	}
	ch := make(chan event.GenericEvent, len(recs))
	for _, sb := range recs {
		ch <- event.GenericEvent{Object: &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Namespace: sb.Pod.Namespace, Name: sb.Pod.Name}}}
	}
	return ch, nil
}
