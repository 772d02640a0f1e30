// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package gc

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/utils/clock"
	"k8s.io/utils/ptr"
	ctrl "sigs.k8s.io/controller-runtime"
	ctrlconfig "sigs.k8s.io/controller-runtime/pkg/config"
	"sigs.k8s.io/controller-runtime/pkg/metrics"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"

	"github.com/spiderpool-go/spiderpool/internal/config"
)

// startManager runs a manager with the GC set up with opts until the test
// ends. Leader election is off, so the leader-only parts run at once.
func startManager(t *testing.T, opts Options) {
	t.Helper()
	mgr, err := ctrl.NewManager(apiServer.cfg, ctrl.Options{
		Scheme:                 testScheme(),
		Metrics:                metricsserver.Options{BindAddress: "0"},
		HealthProbeBindAddress: "0",
		Controller:             ctrlconfig.Controller{SkipNameValidation: ptr.To(true)},
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := Setup(mgr, opts); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.WithoutCancel(t.Context()))
	var wg sync.WaitGroup
	wg.Go(func() {
		if err := mgr.Start(ctx); err != nil {
			t.Errorf("manager: %v", err)
		}
	})
	t.Cleanup(func() { cancel(); wg.Wait() })
}

// eventually polls cond until it holds or 30s pass.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	err := wait.PollUntilContextTimeout(t.Context(), 100*time.Millisecond, 30*time.Second, true,
		func(context.Context) (bool, error) { return cond(), nil })
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// Setup wires the reconciler to pod, endpoint and node events (with the
// pools' holder index) and the scan to start-up, on the real clock, and
// registers the counters on controller-runtime's registry.
func TestSetupWiring(t *testing.T) {
	e := newEnv(t, nil)
	ready := e.node("ready", true)
	// Present before the manager starts: found by the start-up scan.
	early := e.pod("early", ready)
	sts := e.pod("web-0", ready, ofStatefulSet("web"))
	e.statefulSet("web", 1, 0)
	pool := e.pool("v4", recOf(e.ip(1), early), recOf(e.ip(2), sts))
	e.endpoint("web-0", string(sts.UID), owner{kind: "StatefulSet", name: "web"}, poolAddr{pool, e.ip(2)})
	e.remove(early)
	e.remove(sts)
	before, _ := counterValue(t, metrics.Registry, MetricGCCounts) // 0 before the first Setup of the process

	startManager(t, Options{
		GC:                config.GCEnv{Enabled: true, StatelessTerminatingPodOnReadyNode: false, StatelessTerminatingPodOnNotReadyNode: true},
		EnableStatefulSet: true,
	})
	eventually(t, "start-up scan frees the orphan record", func() bool { _, ok := e.records(pool)[e.ip(1)]; return !ok })

	// Deleted while the manager runs: the pod event releases it.
	deleted := e.pod("deleted", ready)
	e.setRecords(pool, recOf(e.ip(2), sts), recOf(e.ip(3), deleted))
	e.endpoint("deleted", string(deleted.UID), podOwner(deleted), poolAddr{pool, e.ip(3)})
	e.remove(deleted)
	eventually(t, "pod deletion releases its endpoint", func() bool { s, _ := e.endpointState("deleted"); return s == epDeleted })

	// A record whose pod has no endpoint (an ADD cut short) is found
	// through the pools' holder index when the pod goes.
	noEP := e.pod("no-ep", ready)
	e.setRecords(pool, recOf(e.ip(2), sts), recOf(e.ip(5), noEP))
	e.remove(noEP)
	eventually(t, "pod deletion releases a record without endpoint", func() bool { _, ok := e.records(pool)[e.ip(5)]; return !ok })

	// Terminating with a 1s grace period on a Ready node, whose switch is
	// off: kept, until the node turns NotReady.
	term := e.pod("term", ready, func(p *corev1.Pod) { p.Spec.TerminationGracePeriodSeconds = ptr.To[int64](1) })
	e.setRecords(pool, recOf(e.ip(2), sts), recOf(e.ip(4), term))
	e.endpoint("term", string(term.UID), podOwner(term), poolAddr{pool, e.ip(4)})
	e.terminate(term)
	time.Sleep(4 * time.Second) // past deletionTimestamp + grace: the requeue has fired
	e.wantRecords(pool, recOf(e.ip(2), sts), recOf(e.ip(4), term))
	e.setNodeReady(ready, false)
	eventually(t, "node turning NotReady releases its terminating pod", func() bool { return len(e.records(pool)) == 1 })

	e.wantRecords(pool, recOf(e.ip(2), sts)) // the StatefulSet wants ordinal 0 back
	e.wantEndpoint("web-0", epKept)
	e.wantEndpoint("term", epDeleted)
	if got := gatherCounter(t, metrics.Registry, MetricGCCounts) - before; got != 4 {
		t.Errorf("%s grew by %v, want 4", MetricGCCounts, got)
	}
	for _, name := range []string{MetricGCFailureCounts, MetricReleaseConflictCounts} {
		gatherCounter(t, metrics.Registry, name) // registered
	}
}

// SPIDERPOOL_GC_IP_ENABLED=false: nothing is collected; the counters are
// still registered.
func TestSetupDisabled(t *testing.T) {
	e := newEnv(t, nil)
	p := e.pod("p", e.node("n", true))
	pool := e.pool("v4", recOf(e.ip(1), p))
	e.endpoint("p", string(p.UID), podOwner(p), poolAddr{pool, e.ip(1)})
	e.remove(p)
	reg := prometheus.NewRegistry()
	startManager(t, Options{GC: config.GCEnv{Enabled: false, StatelessTerminatingPodOnReadyNode: true,
		StatelessTerminatingPodOnNotReadyNode: true}, Registerer: reg})
	time.Sleep(3 * time.Second)
	e.wantRecords(pool, recOf(e.ip(1), p))
	e.wantEndpoint("p", epKept)
	if got := gatherCounter(t, reg, MetricGCCounts); got != 0 {
		t.Errorf("%s = %v, want 0", MetricGCCounts, got)
	}
}

func TestOptions(t *testing.T) {
	required := map[string]string{"SPIDERPOOL_POD_NAMESPACE": "kube-system", "SPIDERPOOL_POD_NAME": "spiderpool-controller-0"}
	env, err := config.ParseControllerEnv(func(k string) (string, bool) { v, ok := required[k]; return v, ok })
	if err != nil {
		t.Fatal(err)
	}
	o, err := NewOptions(env.GC, config.ConfigMap{EnableStatefulSet: true, EnableCleanOutdatedEndpoint: true}).withDefaults()
	if err != nil {
		t.Fatal(err)
	}
	if !o.GC.Enabled || o.GC.DefaultInterval != 600*time.Second || o.GC.WorkerNum != 3 || !o.EnableStatefulSet ||
		o.EnableKubevirtStaticIP || !o.EnableCleanOutdatedEndpoint || o.Clock != (clock.RealClock{}) || o.Registerer != metrics.Registry {
		t.Errorf("options from the default environment: %+v", o)
	}
	if _, err := (Options{GC: config.GCEnv{AdditionalGraceDelay: -time.Second}}).withDefaults(); !errors.Is(err, errBadOptions) {
		t.Errorf("negative delay: err = %v, want errBadOptions", err)
	}
}
