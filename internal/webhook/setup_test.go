// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package webhook_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"

	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/rest"
	ctrl "sigs.k8s.io/controller-runtime"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"

	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
	"github.com/spiderpool-go/spiderpool/internal/webhook"
)

// newManager returns a manager that is never started, so no API server is
// needed.
func newManager(t *testing.T, scheme *runtime.Scheme) ctrl.Manager {
	t.Helper()
	mgr, err := ctrl.NewManager(&rest.Config{Host: "https://127.0.0.1:1"}, ctrl.Options{
		Scheme: scheme, Metrics: metricsserver.Options{BindAddress: "0"}, HealthProbeBindAddress: "0",
	})
	if err != nil {
		t.Fatalf("new manager: %v", err)
	}
	return mgr
}

func TestSetupRegistersPaths(t *testing.T) {
	scheme, err := newScheme()
	if err != nil {
		t.Fatal(err)
	}
	mgr := newManager(t, scheme)
	// spiderpool-controller serves the health path itself; Setup must
	// leave it alone rather than panic on a duplicate.
	mgr.GetWebhookServer().Register(webhook.HealthCheckPath, http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusTeapot)
	}))
	if err := webhook.Setup(mgr, allOn); err != nil {
		t.Fatalf("Setup: %v", err)
	}
	mux := mgr.GetWebhookServer().WebhookMux()
	for _, kind := range []string{spiderpoolv2beta1.KindSpiderIPPool, spiderpoolv2beta1.KindSpiderSubnet, spiderpoolv2beta1.KindSpiderReservedIP,
		spiderpoolv2beta1.KindSpiderCoordinator, spiderpoolv2beta1.KindSpiderMultusConfig} {
		for _, path := range []string{webhook.MutatePath(kind), webhook.ValidatePath(kind)} {
			if _, pattern := mux.Handler(httptest.NewRequest(http.MethodPost, path, nil)); pattern != path {
				t.Errorf("%s not served", path)
			}
		}
	}
	if _, pattern := mux.Handler(httptest.NewRequest(http.MethodPost, webhook.PodMutatePath, nil)); pattern != webhook.PodMutatePath {
		t.Errorf("%s not served", webhook.PodMutatePath)
	}
	rec := httptest.NewRecorder()
	mux.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, webhook.HealthCheckPath, nil))
	if rec.Code != http.StatusTeapot {
		t.Errorf("the controller's health handler was replaced: %d", rec.Code)
	}
}

func TestSetupNeedsNADInScheme(t *testing.T) {
	scheme := runtime.NewScheme()
	if err := spiderpoolv2beta1.AddToScheme(scheme); err != nil {
		t.Fatal(err)
	}
	if err := webhook.Setup(newManager(t, scheme), allOn); !errors.Is(err, webhook.ErrSchemeMissingNAD) {
		t.Errorf("Setup = %v, want ErrSchemeMissingNAD", err)
	}
	off := allOn
	off.EnableMultusConfig = false
	off.PodResourceInject.Enabled = false // a scheme without core/v1 cannot have the Pod webhook
	if err := webhook.Setup(newManager(t, scheme), off); err != nil {
		t.Errorf("Setup without SpiderMultusConfig: %v", err)
	}
}
