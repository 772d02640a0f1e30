// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package certs

import (
	"context"
	"fmt"
	"time"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/utils/clock"
	"k8s.io/utils/ptr"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/builder"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/predicate"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"
)

// Bounds of the delay before the next check when nothing changes.
const (
	minRecheck = time.Minute
	maxRecheck = time.Hour
)

// controllerName names the Reconciler's controller.
const controllerName = "webhook-certs"

// Reconciler keeps the Secret, the caBundle of the webhook configurations
// and this replica's certificate files current. It runs on every replica.
type Reconciler struct {
	config Config
	store  *secretStore
	reader client.Reader
	writer client.Writer
	clock  clock.PassiveClock
}

// NewReconciler returns a Reconciler for c that reads through reader, which
// should be uncached (mgr.GetAPIReader()), and writes through writer. A nil
// clk is the real clock.
func NewReconciler(c Config, reader client.Reader, writer client.Writer, clk clock.PassiveClock) (*Reconciler, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	if clk == nil {
		clk = clock.RealClock{}
	}
	store := &secretStore{reader: reader, writer: writer, config: c, clock: clk,
		key: types.NamespacedName{Namespace: c.Namespace, Name: c.SecretName}}
	return &Reconciler{config: c, store: store, reader: reader, writer: writer, clock: clk}, nil
}

// Sync makes the Secret hold a valid bundle, sets the caBundle of the
// webhook configurations to its CAs and then writes this replica's
// certificate files, in that order, so that the API server trusts a new CA
// before this replica serves a certificate signed by it. It returns the
// bundle and the delay before the next check.
func (r *Reconciler) Sync(ctx context.Context) (Bundle, time.Duration, error) {
	b, err := r.store.ensure(ctx)
	if err != nil {
		return Bundle{}, 0, err
	}
	if err := injectCABundle(ctx, r.reader, r.writer, r.config, b.CABundle); err != nil {
		return Bundle{}, 0, err
	}
	if err := writeFiles(r.config.CertFile, r.config.KeyFile, b); err != nil {
		return Bundle{}, 0, err
	}
	return b, r.recheckAfter(b), nil
}

// Reconcile implements reconcile.Reconciler: every request is a Sync.
func (r *Reconciler) Reconcile(ctx context.Context, _ reconcile.Request) (reconcile.Result, error) {
	_, after, err := r.Sync(ctx)
	return reconcile.Result{RequeueAfter: after}, err
}

// recheckAfter is the delay until the first certificate of b is due for
// renewal, clamped to [minRecheck, maxRecheck].
func (r *Reconciler) recheckAfter(b Bundle) time.Duration {
	next := maxRecheck
	for _, data := range [][]byte{b.CABundle, b.Cert} {
		if cert, err := parseFirstCert(data); err == nil {
			next = min(next, renewAt(cert).Sub(r.clock.Now()))
		}
	}
	return max(next, minRecheck)
}

// SetupWithManager runs the Reconciler on every replica, not only the
// leader, triggered by changes to the Secret (another replica renewed it)
// and to the webhook configurations (a chart upgrade reset a caBundle).
func (r *Reconciler) SetupWithManager(mgr ctrl.Manager) error {
	one := handler.EnqueueRequestsFromMapFunc(func(context.Context, client.Object) []reconcile.Request {
		return []reconcile.Request{{NamespacedName: types.NamespacedName{Name: controllerName}}}
	})
	b := ctrl.NewControllerManagedBy(mgr).Named(controllerName).
		WithOptions(controller.Options{NeedLeaderElection: ptr.To(false), MaxConcurrentReconciles: 1}).
		Watches(&corev1.Secret{}, one, builder.WithPredicates(named(r.config.Namespace, r.config.SecretName)))
	if name := r.config.MutatingWebhookConfiguration; name != "" {
		b = b.Watches(&admissionregistrationv1.MutatingWebhookConfiguration{}, one, builder.WithPredicates(named("", name)))
	}
	if name := r.config.ValidatingWebhookConfiguration; name != "" {
		b = b.Watches(&admissionregistrationv1.ValidatingWebhookConfiguration{}, one, builder.WithPredicates(named("", name)))
	}
	if err := b.Complete(r); err != nil {
		return fmt.Errorf("set up %s controller: %w", controllerName, err)
	}
	return nil
}

// named passes events of the object namespace/name only.
func named(namespace, name string) predicate.Predicate {
	return predicate.NewPredicateFuncs(func(o client.Object) bool {
		return o.GetNamespace() == namespace && o.GetName() == name
	})
}

// CacheByObject restricts the manager's cache to the objects the
// Reconciler watches, so that the controller needs no right to list every
// Secret or webhook configuration. Merge it into cache.Options.ByObject.
func (c Config) CacheByObject() map[client.Object]cache.ByObject {
	byName := func(name string) fields.Selector { return fields.OneTermEqualSelector("metadata.name", name) }
	out := map[client.Object]cache.ByObject{
		&corev1.Secret{}: {Namespaces: map[string]cache.Config{c.Namespace: {}}, Field: byName(c.SecretName)},
	}
	if c.MutatingWebhookConfiguration != "" {
		out[&admissionregistrationv1.MutatingWebhookConfiguration{}] = cache.ByObject{Field: byName(c.MutatingWebhookConfiguration)}
	}
	if c.ValidatingWebhookConfiguration != "" {
		out[&admissionregistrationv1.ValidatingWebhookConfiguration{}] = cache.ByObject{Field: byName(c.ValidatingWebhookConfiguration)}
	}
	return out
}
