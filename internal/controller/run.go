// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package controller

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/go-logr/logr"
	"k8s.io/client-go/rest"
	ctrl "sigs.k8s.io/controller-runtime"

	"github.com/spiderpool-go/spiderpool/internal/autopool"
	"github.com/spiderpool-go/spiderpool/internal/certs"
	"github.com/spiderpool-go/spiderpool/internal/gc"
)

// Run runs spiderpool-controller until ctx ends, or until this replica loses
// the leadership it held (then it returns an error and the process should
// exit).
func Run(ctx context.Context, opts Options, cfg *rest.Config) error {
	mgr, err := newManager(cfg, opts)
	if err != nil {
		return err
	}
	if err := setup(ctx, mgr, opts); err != nil {
		return err
	}
	logr.FromContextOrDiscard(ctx).Info("spiderpool-controller starting", "pod", opts.Env.PodName,
		"namespace", opts.Env.PodNamespace, "webhookPort", opts.Env.WebhookPort, "healthPort", opts.Env.HealthPort)
	if err := mgr.Start(ctx); err != nil {
		return fmt.Errorf("spiderpool-controller: %w", err)
	}
	return nil
}

// setup adds every component to mgr.
func setup(ctx context.Context, mgr ctrl.Manager, opts Options) error {
	if opts.ManageCerts {
		if err := setupCerts(ctx, mgr, opts.TLS); err != nil {
			return err
		}
	}
	mgr.GetWebhookServer().Register(WebhookHealthPath, http.HandlerFunc(serveWebhookHealth))
	if err := registerWebhooks(mgr, opts); err != nil {
		return err
	}
	if err := setupReconcilers(mgr, opts); err != nil {
		return err
	}
	health := &healthServer{addr: opts.healthAddr(), webhook: webhookCheck(opts.Env.WebhookPort),
		leader: leaderCheck(mgr.GetAPIReader(), opts.Env.PodNamespace, time.Now)}
	if err := mgr.Add(health); err != nil {
		return fmt.Errorf("add health probes: %w", err)
	}
	return nil
}

// setupCerts makes sure the certificate files exist before the webhook
// server starts (it reads them at start), then keeps them current.
func setupCerts(ctx context.Context, mgr ctrl.Manager, c certs.Config) error {
	r, err := certs.NewReconciler(c, mgr.GetAPIReader(), mgr.GetClient(), nil)
	if err != nil {
		return err
	}
	if _, _, err := r.Sync(ctx); err != nil {
		return fmt.Errorf("webhook certificate: %w", err)
	}
	return r.SetupWithManager(mgr)
}

// setupReconcilers adds the leader-only reconcilers.
func setupReconcilers(mgr ctrl.Manager, opts Options) error {
	apps := &AppChecker{Client: mgr.GetClient(), APIReader: mgr.GetAPIReader()}
	pools := &IPPoolReconciler{Client: mgr.GetClient(), APIReader: mgr.GetAPIReader()}
	if opts.autoPools() {
		pools.Apps, pools.Resync = apps, opts.Env.IPPoolInformerResyncPeriod
	}
	if err := pools.SetupWithManager(mgr, opts.Env.IPPoolInformerWorkers); err != nil {
		return err
	}
	if _, err := SetupClaimProjector(mgr, opts); err != nil {
		return err
	}
	gcOpts := gc.NewOptions(opts.Env.GC, opts.ConfigMap)
	gcOpts.ClaimStorage = opts.Env.ClaimStorage
	if err := gc.Setup(mgr, gcOpts); err != nil {
		return fmt.Errorf("garbage collector: %w", err)
	}
	if opts.Env.EnableMultusConfig {
		nads := &MultusConfigReconciler{Client: mgr.GetClient(), Recorder: mgr.GetEventRecorderFor("spiderpool-controller"),
			Retry: opts.Env.MultusConfigInformerResyncPeriod}
		if err := nads.SetupWithManager(mgr); err != nil {
			return err
		}
	}
	if err := setupCoordinator(mgr, opts); err != nil {
		return err
	}
	if opts.Env.EnableMetric {
		if err := setupMetrics(mgr, opts); err != nil {
			return err
		}
	}
	return setupSubnets(mgr, opts, apps)
}

// setupSubnets adds the subnet controller (enableSpiderSubnet) and the
// application controllers (and enableAutoPoolForApplication).
func setupSubnets(mgr ctrl.Manager, opts Options, apps *AppChecker) error {
	if !opts.ConfigMap.EnableSpiderSubnet {
		return nil
	}
	subnets := &SubnetReconciler{Client: mgr.GetClient(), APIReader: mgr.GetAPIReader(), Apps: apps}
	if err := subnets.SetupWithManager(mgr, opts.Env.SubnetInformerWorkers); err != nil {
		return err
	}
	if !opts.autoPools() {
		return nil
	}
	base := AppReconciler{
		Client:           mgr.GetClient(),
		Pools:            &autopool.Reconciler{Client: mgr.GetClient(), APIReader: mgr.GetAPIReader()},
		Recorder:         mgr.GetEventRecorderFor("spiderpool-controller"),
		DefaultRedundant: opts.ConfigMap.ClusterSubnetDefaultFlexibleIPNumber,
		RetryDelay:       opts.Env.WorkqueueRetryDelay,
	}
	return SetupAppControllers(mgr, base, opts.Env.SubnetApplicationControllerWorkers)
}
