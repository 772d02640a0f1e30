// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package migrate

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/utils/ptr"
	ctrl "sigs.k8s.io/controller-runtime"
	ctrlconfig "sigs.k8s.io/controller-runtime/pkg/config"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"

	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
	"github.com/spiderpool-go/spiderpool/internal/config"
	"github.com/spiderpool-go/spiderpool/internal/gc"
	"github.com/spiderpool-go/spiderpool/internal/ipam/ipamtest"
)

// gcKeepsLive runs the controller's GC (a manager with gc.Setup, as the
// controller runs it, leader election off) until its start-up scan has
// passed a sentinel: a record of a pod that never existed, in a namespace
// the scan reaches after fx. Every fx record and endpoint must be as
// before. Then each agent's CNI GC runs with no sandbox known to it (a
// fresh agent after the switch) and must release nothing either.
func (cl *cluster) gcKeepsLive(t *testing.T, before map[string]poolState) {
	ctx := t.Context()
	eps := cl.endpointVersions()
	sentinel := cl.sentinelPool(t)
	stop := cl.startGC(t)
	err := wait.PollUntilContextTimeout(ctx, 200*time.Millisecond, 2*time.Minute, true, func(context.Context) (bool, error) {
		_, held := cl.pools()[sentinel].records["10.99.0.10"]
		return !held, nil
	})
	stop()
	if err != nil {
		t.Fatalf("the GC's start-up scan did not free the sentinel record: %v", err)
	}
	after := cl.pools()
	sameRecords(t, "after the controller's GC", before, after, nil)
	for name, b := range before {
		if after[name].rv != b.rv {
			t.Errorf("pool %s written by the GC", name)
		}
	}
	for key, rv := range cl.endpointVersions() {
		if eps[key] != rv {
			t.Errorf("endpoint %s written by the GC", key)
		}
	}
	for _, node := range []string{"fx-node-0", "fx-node-1", "fx-node-2"} {
		n, err := cl.agent(node).GC(ctx, node, nil)
		if err != nil || n != 0 {
			t.Errorf("agent GC on %s released %d endpoints, err %v", node, n, err)
		}
	}
	sameRecords(t, "after the agents' CNI GC", before, cl.pools(), nil)
}

// sentinelPool creates pool "sentinel" in 10.99.0.0/24 holding one record
// of pod zz-sentinel/ghost, which does not exist.
func (cl *cluster) sentinelPool(t *testing.T) string {
	ctx := t.Context()
	if err := cl.c.Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "zz-sentinel"}}); err != nil {
		t.Fatal(err)
	}
	p := &spiderpoolv2beta1.SpiderIPPool{ObjectMeta: metav1.ObjectMeta{Name: "sentinel"}, Spec: spiderpoolv2beta1.IPPoolSpec{
		IPVersion: ptr.To(spiderpoolv2beta1.IPv4), Subnet: "10.99.0.0/24", IPs: []string{"10.99.0.10-10.99.0.20"},
	}}
	if err := cl.c.Create(ctx, p); err != nil {
		t.Fatal(err)
	}
	p.Status.AllocatedIPs = ptr.To(`{"10.99.0.10":{"pod":"zz-sentinel/ghost","podUid":"00000000-0000-0000-0000-00000000dead"}}`)
	p.Status.AllocatedIPCount = ptr.To[int64](1)
	if err := cl.c.Status().Update(ctx, p); err != nil {
		t.Fatal(err)
	}
	return p.Name
}

// startGC runs a manager with the GC on the controller's default
// environment and the fixture's ConfigMap; stop ends it.
func (cl *cluster) startGC(t *testing.T) (stop func()) {
	env, err := config.ParseControllerEnv(func(k string) (string, bool) {
		v, ok := map[string]string{config.EnvPodNamespace: "kube-system", config.EnvPodName: "spiderpool-controller-0"}[k]
		return v, ok
	})
	if err != nil {
		t.Fatal(err)
	}
	opts := gc.NewOptions(env.GC, cl.conf)
	opts.Registerer = prometheus.NewRegistry()
	mgr, err := ctrl.NewManager(cl.cfg, ctrl.Options{
		Scheme: ipamtest.Scheme(), Metrics: metricsserver.Options{BindAddress: "0"}, HealthProbeBindAddress: "0",
		Controller: ctrlconfig.Controller{SkipNameValidation: ptr.To(true)},
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := gc.Setup(mgr, opts); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.WithoutCancel(t.Context()))
	var wg sync.WaitGroup
	wg.Go(func() {
		if err := mgr.Start(ctx); err != nil {
			t.Errorf("manager: %v", err)
		}
	})
	return func() { cancel(); wg.Wait() }
}
