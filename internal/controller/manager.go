// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package controller

import (
	"crypto/tls"
	"errors"
	"fmt"
	"path/filepath"

	"k8s.io/apimachinery/pkg/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/rest"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"
	ctrlconfig "sigs.k8s.io/controller-runtime/pkg/config"
	"sigs.k8s.io/controller-runtime/pkg/webhook"

	ipamclaimsv1alpha1 "github.com/spiderpool-go/spiderpool/api/ipamclaims/v1alpha1"
	k8scniv1 "github.com/spiderpool-go/spiderpool/api/k8scni/v1"
	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
)

// Client rate limits of Spiderpool's controller
// (docs/reference/interface.md §4.3).
const (
	clientQPS   = 100
	clientBurst = 200
)

// newScheme returns the types the controller reads and writes.
func newScheme() (*runtime.Scheme, error) {
	s := runtime.NewScheme()
	err := errors.Join(clientgoscheme.AddToScheme(s), spiderpoolv2beta1.AddToScheme(s), k8scniv1.AddToScheme(s),
		ipamclaimsv1alpha1.AddToScheme(s))
	if err != nil {
		return nil, fmt.Errorf("controller scheme: %w", err)
	}
	return s, nil
}

// newManager returns the controller's manager: leader election on the
// Lease, the webhook server and the metrics server. The probes are served
// by healthServer, at Spiderpool's paths, not by the manager's.
func newManager(cfg *rest.Config, opts Options) (ctrl.Manager, error) {
	scheme, err := newScheme()
	if err != nil {
		return nil, err
	}
	cfg = rest.CopyConfig(cfg)
	cfg.QPS, cfg.Burst = clientQPS, clientBurst
	lock, err := newLeaseLock(cfg, opts.Env)
	if err != nil {
		return nil, err
	}
	le := opts.Env.LeaderElection
	mgr, err := ctrl.NewManager(cfg, ctrl.Options{
		Scheme:                              scheme,
		Cache:                               cache.Options{ByObject: cacheByObject(opts)},
		Metrics:                             metricsOptions(opts),
		HealthProbeBindAddress:              "0",
		WebhookServer:                       newWebhookServer(opts),
		LeaderElection:                      true,
		LeaderElectionID:                    LeaseName,
		LeaderElectionNamespace:             opts.Env.PodNamespace,
		LeaderElectionResourceLockInterface: lock,
		LeaseDuration:                       &le.LeaseDuration,
		RenewDeadline:                       &le.RenewDeadline,
		RetryPeriod:                         &le.RetryPeriod,
		LeaderElectionReleaseOnCancel:       true,
		Controller:                          ctrlconfig.Controller{SkipNameValidation: &opts.SkipControllerNameValidation},
	})
	if err != nil {
		return nil, fmt.Errorf("controller manager: %w", err)
	}
	return mgr, nil
}

// newWebhookServer returns the HTTPS server of the admission webhooks on
// SPIDERPOOL_WEBHOOK_PORT, with the certificate files named by
// --tls-server-cert and --tls-server-key; controller-runtime's certwatcher
// reloads them when they change. It speaks HTTP/1.1 only, as kubebuilder's
// scaffold does by default, against the HTTP/2 stream-reset attacks
// (CVE-2023-44487, CVE-2023-39325); the API server needs nothing more.
func newWebhookServer(opts Options) webhook.Server {
	return webhook.NewServer(webhook.Options{
		Port:     opts.Env.WebhookPort,
		CertDir:  opts.certDir(),
		CertName: filepath.Base(opts.TLS.CertFile),
		KeyName:  filepath.Base(opts.TLS.KeyFile),
		TLSOpts:  []func(*tls.Config){func(c *tls.Config) { c.NextProtos = []string{"http/1.1"} }},
	})
}

// cacheByObject restricts the cache where the controller watches single
// objects (its certificate Secret and webhook configurations).
func cacheByObject(opts Options) map[client.Object]cache.ByObject {
	if !opts.ManageCerts {
		return nil
	}
	return opts.TLS.CacheByObject()
}
