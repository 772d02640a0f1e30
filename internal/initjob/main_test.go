// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package initjob

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/go-logr/logr"
	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"k8s.io/utils/ptr"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/envtest"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"
	crwebhook "sigs.k8s.io/controller-runtime/pkg/webhook"

	nadv1 "github.com/spiderpool-go/spiderpool/api/k8scni/v1"
	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
	"github.com/spiderpool-go/spiderpool/internal/webhook"
	"github.com/spiderpool-go/spiderpool/test/utils"
)

// webhookOptions are the chart's webhooks: all of them.
var webhookOptions = webhook.Options{EnableIPv4: true, EnableIPv6: true, EnableSpiderSubnet: true,
	EnableCoordinator: true, EnableMultusConfig: true}

// apiServer is an envtest API server with Spiderpool's CRDs and webhooks,
// started by the first test that needs it, so that the unit tests run
// without one.
var apiServer struct {
	once   sync.Once
	env    *envtest.Environment
	client client.Client
	stop   func() error
	err    error
}

func TestMain(m *testing.M) {
	ctrl.SetLogger(logr.Discard())
	code := m.Run()
	if apiServer.stop != nil {
		if err := apiServer.stop(); err != nil {
			fmt.Fprintln(os.Stderr, "stop envtest:", err)
		}
	}
	os.Exit(code)
}

// kube returns the shared API server's client, starting it if needed.
func kube(t *testing.T) client.Client {
	t.Helper()
	apiServer.once.Do(func() { apiServer.err = startAPIServer() })
	if apiServer.err != nil {
		t.Fatalf("envtest: %v", apiServer.err)
	}
	return apiServer.client
}

// startAPIServer starts envtest and a manager serving the webhooks.
func startAPIServer() error {
	scheme := runtime.NewScheme()
	if err := errors.Join(clientgoscheme.AddToScheme(scheme), spiderpoolv2beta1.AddToScheme(scheme), nadv1.AddToScheme(scheme)); err != nil {
		return err
	}
	env, err := utils.NewEnvtest(scheme, filepath.Join("config", "crd", "nad"))
	if err != nil {
		return err
	}
	svc := &admissionregistrationv1.ServiceReference{Namespace: "kube-system", Name: "spiderpool-controller", Port: ptr.To[int32](5722)}
	mutating, validating := webhook.Configurations("spiderpool-controller", webhook.Endpoint{Service: svc}, webhookOptions)
	env.WebhookInstallOptions = envtest.WebhookInstallOptions{
		MutatingWebhooks:   []*admissionregistrationv1.MutatingWebhookConfiguration{mutating},
		ValidatingWebhooks: []*admissionregistrationv1.ValidatingWebhookConfiguration{validating},
	}
	cfg, err := env.Start()
	if err != nil {
		return fmt.Errorf("start: %w", err)
	}
	apiServer.env, apiServer.stop = env, env.Stop
	stopManager, err := serveWebhooks(env, scheme)
	if err != nil {
		return err
	}
	apiServer.stop = func() error { return errors.Join(stopManager(), env.Stop()) }
	if apiServer.client, err = client.New(cfg, client.Options{Scheme: scheme}); err != nil {
		return err
	}
	return waitForWebhooks(apiServer.client)
}

// serveWebhooks runs a manager with Spiderpool's webhooks where envtest
// pointed the configurations, and returns its stop function.
func serveWebhooks(env *envtest.Environment, scheme *runtime.Scheme) (func() error, error) {
	wio := &env.WebhookInstallOptions
	mgr, err := ctrl.NewManager(env.Config, ctrl.Options{
		Scheme: scheme, Metrics: metricsserver.Options{BindAddress: "0"}, HealthProbeBindAddress: "0",
		WebhookServer: crwebhook.NewServer(crwebhook.Options{
			Host: wio.LocalServingHost, Port: wio.LocalServingPort, CertDir: wio.LocalServingCertDir}),
	})
	if err != nil {
		return nil, fmt.Errorf("manager: %w", err)
	}
	if err := webhook.Setup(mgr, webhookOptions); err != nil {
		return nil, fmt.Errorf("webhooks: %w", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- mgr.Start(ctx) }()
	return func() error { cancel(); return <-done }, nil
}

// waitForWebhooks waits until the API server calls the mutating webhook,
// which it starts doing a while after the configuration is created. The
// probe is a dry run.
func waitForWebhooks(c client.Client) error {
	deadline := time.Now().Add(60 * time.Second)
	for {
		probe := &spiderpoolv2beta1.SpiderReservedIP{ObjectMeta: metav1.ObjectMeta{Name: "probe"},
			Spec: spiderpoolv2beta1.ReservedIPSpec{IPs: []string{"10.0.0.1"}}}
		err := c.Create(context.Background(), probe, client.DryRunAll)
		if err == nil && probe.Spec.IPVersion != nil {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("webhooks not called: %w", err)
		}
		time.Sleep(200 * time.Millisecond)
	}
}
