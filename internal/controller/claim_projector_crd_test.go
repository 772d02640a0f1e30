// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package controller_test

import (
	"strings"
	"testing"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/utils/ptr"
	ctrl "sigs.k8s.io/controller-runtime"
	ctrlconfig "sigs.k8s.io/controller-runtime/pkg/config"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"

	ipamclaimsv1alpha1 "github.com/spiderpool-go/spiderpool/api/ipamclaims/v1alpha1"
	"github.com/spiderpool-go/spiderpool/internal/config"
	"github.com/spiderpool-go/spiderpool/internal/controller"
)

// TestClaimCRDRules: the API server refuses a second claim of one address,
// a spec change, and a name that is not the claim's pool and address.
func TestClaimCRDRules(t *testing.T) {
	pool := poolName(t)
	createClaims(t, pool, "10.16.0.1", "fd00:16::")
	err := apiServer.client.Create(t.Context(), claimFor(t, pool, "10.16.0.1"))
	if !apierrors.IsAlreadyExists(err) {
		t.Errorf("second claim of one address: %v, want AlreadyExists", err)
	}

	c := &ipamclaimsv1alpha1.SpiderIPClaim{}
	if err := apiServer.client.Get(t.Context(), types.NamespacedName{Name: claimFor(t, pool, "10.16.0.1").Name}, c); err != nil {
		t.Fatal(err)
	}
	c.Spec.PodUID = "uid-of-the-successor" // adoption by a pod of the same name
	if err := apiServer.client.Update(t.Context(), c); err != nil {
		t.Errorf("adoption (podUID changed): %v, want it accepted", err)
	}
	c.Spec.PodName = "another-pod"
	err = apiServer.client.Update(t.Context(), c)
	if !apierrors.IsInvalid(err) || !strings.Contains(err.Error(), "spec.podName are immutable") {
		t.Errorf("holder name changed: %v, want Invalid naming the immutable fields", err)
	}

	for _, bad := range []struct{ name, ip string }{
		{pool + ".10-16-0-9", "10.16.0.2"}, // another address
		{"other.10-16-0-2", "10.16.0.2"},   // another pool
		{pool + ".fd00-16--", "fd00:16::"}, // not the canonical spelling
	} {
		obj := claimFor(t, pool, "10.16.0.2")
		obj.Name, obj.Spec.IP = bad.name, bad.ip
		err := apiServer.client.Create(t.Context(), obj)
		if !apierrors.IsInvalid(err) || !strings.Contains(err.Error(), "metadata.name must be") {
			t.Errorf("claim %s of %s: %v, want Invalid naming metadata.name", bad.name, bad.ip, err)
		}
	}
}

// TestClaimProjectorSwitch: the projector is registered only when
// SPIDERPOOL_CLAIM_STORAGE is on, and the switch is off by default.
func TestClaimProjectorSwitch(t *testing.T) {
	env, err := config.ParseControllerEnv(func(k string) (string, bool) {
		v, ok := map[string]string{config.EnvPodNamespace: "ns", config.EnvPodName: "pod"}[k]
		return v, ok
	})
	if err != nil {
		t.Fatal(err)
	}
	if env.ClaimStorage {
		t.Fatal("claim storage on by default")
	}
	for _, on := range []bool{false, true} {
		mgr, err := ctrl.NewManager(apiServer.cfg, ctrl.Options{
			Scheme: apiServer.scheme, Metrics: metricsserver.Options{BindAddress: "0"}, HealthProbeBindAddress: "0",
			Controller: ctrlconfig.Controller{SkipNameValidation: ptr.To(true)},
		})
		if err != nil {
			t.Fatal(err)
		}
		env.ClaimStorage = on
		r, err := controller.SetupClaimProjector(mgr, controller.Options{Env: env})
		if err != nil {
			t.Fatal(err)
		}
		if (r != nil) != on {
			t.Errorf("switch %v: projector registered = %v", on, r != nil)
		}
	}
}
