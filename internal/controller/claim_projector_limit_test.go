// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package controller_test

import (
	"context"
	"fmt"
	"net/netip"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/rest"
	"k8s.io/utils/ptr"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	ctrlconfig "sigs.k8s.io/controller-runtime/pkg/config"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"

	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
	"github.com/spiderpool-go/spiderpool/internal/controller"
	"github.com/spiderpool-go/spiderpool/test/utils"
)

// TestClaimProjectorStatusOverEtcdLimit: on an API server whose etcd stores
// at most 64 KiB per request, a pool of 1,000 claims (about 80 KB of
// records) cannot be projected. The projector says so in a Warning event
// on the pool that names the setting to lower, the claims stay, and once
// enough of them are released the status is projected again.
func TestClaimProjectorStatusOverEtcdLimit(t *testing.T) {
	cfg := utils.StartEnvtestWithEtcdLimit(t, apiServer.scheme, 64<<10)
	c, err := client.New(cfg, client.Options{Scheme: apiServer.scheme})
	if err != nil {
		t.Fatal(err)
	}
	startProjector(t, cfg)

	const pool = "big"
	p := &spiderpoolv2beta1.SpiderIPPool{ObjectMeta: metav1.ObjectMeta{Name: pool},
		Spec: spiderpoolv2beta1.IPPoolSpec{Subnet: "10.20.0.0/16", IPs: []string{"10.20.0.1-10.20.3.250"}}}
	if err := c.Create(t.Context(), p); err != nil {
		t.Fatal(err)
	}
	ips := make([]string, 0, 1000)
	for a := netip.MustParseAddr("10.20.0.1"); len(ips) < cap(ips); a = a.Next() {
		ips = append(ips, a.String())
		if err := c.Create(t.Context(), claimFor(t, pool, a.String())); err != nil {
			t.Fatalf("create claim of %s: %v", a, err)
		}
	}
	utils.Eventually(t, 30*time.Second, func() error { return tooLargeEvent(t.Context(), c, pool) })

	for _, ip := range ips[10:] {
		if err := c.Delete(t.Context(), claimFor(t, pool, ip)); err != nil {
			t.Fatalf("release %s: %v", ip, err)
		}
	}
	utils.Eventually(t, 30*time.Second, func() error {
		got := &spiderpoolv2beta1.SpiderIPPool{}
		if err := c.Get(t.Context(), client.ObjectKey{Name: pool}, got); err != nil {
			return err
		}
		if n := ptr.Deref(got.Status.AllocatedIPCount, -1); n != 10 {
			return fmt.Errorf("%w: allocatedIPCount %d, want the 10 claims left", errWaiting, n)
		}
		return nil
	})
}

// startProjector runs a claim projector alone against the API server of
// cfg, with a hold-off of 1 s after a status refused as too large.
func startProjector(t *testing.T, cfg *rest.Config) {
	t.Helper()
	mgr, err := ctrl.NewManager(cfg, ctrl.Options{
		Scheme: apiServer.scheme, Metrics: metricsserver.Options{BindAddress: "0"}, HealthProbeBindAddress: "0",
		Controller: ctrlconfig.Controller{SkipNameValidation: ptr.To(true)},
	})
	if err != nil {
		t.Fatal(err)
	}
	r := &controller.ClaimProjector{Client: mgr.GetClient(), Recorder: mgr.GetEventRecorderFor("test"), TooLargeRetry: time.Second}
	if err := r.SetupWithManager(mgr, 1); err != nil {
		t.Fatal(err)
	}
	utils.StartManager(t, mgr)
}

// tooLargeEvent is nil once pool has a ProjectionTooLarge event that names
// the setting to lower.
func tooLargeEvent(ctx context.Context, c client.Client, pool string) error {
	var events corev1.EventList
	if err := c.List(ctx, &events); err != nil {
		return err
	}
	for _, e := range events.Items {
		if e.InvolvedObject.Name == pool && e.Reason == controller.ReasonProjectionTooLarge && e.Type == corev1.EventTypeWarning &&
			strings.Contains(e.Message, "SPIDERPOOL_IPPOOL_MAX_ALLOCATED_IPS") {
			return nil
		}
	}
	return fmt.Errorf("%w: no %s event on SpiderIPPool %s", errWaiting, controller.ReasonProjectionTooLarge, pool)
}
