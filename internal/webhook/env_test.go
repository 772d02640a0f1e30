// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package webhook_test

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"path/filepath"
	"strconv"
	"time"

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

// testEnv is a real kube-apiserver and etcd (envtest) whose webhook
// configurations, built by webhook.Configurations, point at a manager in
// this process serving webhook.Setup's handlers.
type testEnv struct {
	env    *envtest.Environment
	client client.Client
	cancel context.CancelFunc
	done   chan error
	addr   string      // host:port of the webhook server
	tls    *tls.Config // trusts the webhook server's certificate
}

// startEnv starts a testEnv with the webhooks opts selects and returns once
// the API server calls them. It takes 5-20 s on a loaded 2-core machine.
func startEnv(opts webhook.Options) (*testEnv, error) {
	root, err := utils.ModuleRoot()
	if err != nil {
		return nil, err
	}
	assets, err := utils.LookupKubebuilderAssets()
	if err != nil {
		return nil, err
	}
	scheme, err := newScheme()
	if err != nil {
		return nil, err
	}
	svc := &admissionregistrationv1.ServiceReference{Namespace: "kube-system", Name: "spiderpool-controller", Port: ptr.To[int32](5722)}
	mutating, validating := webhook.Configurations("spiderpool-controller", webhook.Endpoint{Service: svc}, opts)
	env := &envtest.Environment{
		BinaryAssetsDirectory: assets,
		CRDDirectoryPaths: []string{
			filepath.Join(root, "config", "crd", "bases"),
			filepath.Join(root, "config", "crd", "nad"),
		},
		ErrorIfCRDPathMissing: true,
		Scheme:                scheme,
		WebhookInstallOptions: envtest.WebhookInstallOptions{
			MutatingWebhooks:   []*admissionregistrationv1.MutatingWebhookConfiguration{mutating},
			ValidatingWebhooks: []*admissionregistrationv1.ValidatingWebhookConfiguration{validating},
		},
	}
	cfg, err := env.Start()
	if err != nil {
		return nil, fmt.Errorf("start envtest: %w", err)
	}
	te, err := serve(env, scheme, opts)
	if err == nil {
		te.client, err = client.New(cfg, client.Options{Scheme: scheme})
	}
	if err == nil {
		err = te.waitForWebhooks()
	}
	if err != nil {
		if te != nil {
			err = errors.Join(err, te.stopManager())
		}
		return nil, errors.Join(err, env.Stop())
	}
	return te, nil
}

// serve starts a manager whose webhook server listens where envtest
// pointed the configurations.
func serve(env *envtest.Environment, scheme *runtime.Scheme, opts webhook.Options) (*testEnv, error) {
	wio := &env.WebhookInstallOptions
	mgr, err := ctrl.NewManager(env.Config, ctrl.Options{
		Scheme:                 scheme,
		Metrics:                metricsserver.Options{BindAddress: "0"},
		HealthProbeBindAddress: "0",
		WebhookServer: crwebhook.NewServer(crwebhook.Options{
			Host: wio.LocalServingHost, Port: wio.LocalServingPort, CertDir: wio.LocalServingCertDir,
		}),
	})
	if err != nil {
		return nil, fmt.Errorf("new manager: %w", err)
	}
	if err := webhook.Setup(mgr, opts); err != nil {
		return nil, fmt.Errorf("setup webhooks: %w", err)
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(wio.LocalServingCAData)
	ctx, cancel := context.WithCancel(context.Background())
	te := &testEnv{env: env, cancel: cancel, done: make(chan error, 1),
		addr: net.JoinHostPort(wio.LocalServingHost, strconv.Itoa(wio.LocalServingPort)),
		tls:  &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}}
	go func() { te.done <- mgr.Start(ctx) }()
	return te, nil
}

// waitForWebhooks waits until the API server calls both the mutating and
// the validating webhooks: it picks up new configurations asynchronously.
// The probes are dry runs, so they leave nothing behind.
func (e *testEnv) waitForWebhooks() error {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	for {
		mutated := &spiderpoolv2beta1.SpiderReservedIP{ObjectMeta: metav1.ObjectMeta{Name: "probe"},
			Spec: spiderpoolv2beta1.ReservedIPSpec{IPs: []string{"10.0.0.1"}}}
		invalid := &spiderpoolv2beta1.SpiderReservedIP{ObjectMeta: metav1.ObjectMeta{Name: "probe"},
			Spec: spiderpoolv2beta1.ReservedIPSpec{IPVersion: ptr.To(spiderpoolv2beta1.IPv4), IPs: []string{"x"}}}
		errMutated := e.client.Create(ctx, mutated, client.DryRunAll)
		errInvalid := e.client.Create(ctx, invalid, client.DryRunAll)
		if errMutated == nil && mutated.Spec.IPVersion != nil && errInvalid != nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("webhooks not called: %w", errors.Join(ctx.Err(), errMutated, errInvalid))
		case err := <-e.done:
			return fmt.Errorf("manager stopped: %w", err)
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// stopManager stops the manager and waits for it.
func (e *testEnv) stopManager() error {
	e.cancel()
	return <-e.done
}

// stop stops the manager and the API server.
func (e *testEnv) stop() error {
	return errors.Join(e.stopManager(), e.env.Stop())
}

func newScheme() (*runtime.Scheme, error) {
	scheme := runtime.NewScheme()
	for _, add := range []func(*runtime.Scheme) error{clientgoscheme.AddToScheme, spiderpoolv2beta1.AddToScheme, nadv1.AddToScheme} {
		if err := add(scheme); err != nil {
			return nil, fmt.Errorf("build scheme: %w", err)
		}
	}
	return scheme, nil
}
