// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package certs_test

import (
	"bytes"
	"errors"
	"fmt"
	"testing"
	"time"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/utils/ptr"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/config"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"

	"github.com/spiderpool-go/spiderpool/internal/certs"
	"github.com/spiderpool-go/spiderpool/test/utils"
)

var errWaiting = errors.New("waiting")

// TestReconcilerFollowsChanges runs the Reconciler in a manager with the
// cache restricted as in production, and checks that it repairs a reset
// caBundle and recreates a deleted Secret.
func TestReconcilerFollowsChanges(t *testing.T) {
	ns := newNamespace(t)
	name := newWebhookConfigurations(t)
	c := newConfig(t, ns, name)
	mgr, err := ctrl.NewManager(apiServer.cfg, ctrl.Options{
		Scheme:     apiServer.scheme,
		Cache:      cache.Options{ByObject: c.CacheByObject()},
		Metrics:    metricsserver.Options{BindAddress: "0"},
		Controller: config.Controller{SkipNameValidation: ptr.To(true)},
	})
	if err != nil {
		t.Fatal(err)
	}
	r, err := certs.NewReconciler(c, mgr.GetAPIReader(), mgr.GetClient(), nil)
	if err != nil {
		t.Fatal(err)
	}
	first := mustSync(t, r)
	if err := r.SetupWithManager(mgr); err != nil {
		t.Fatal(err)
	}
	utils.StartManager(t, mgr)

	validating := &admissionregistrationv1.ValidatingWebhookConfiguration{}
	if err := apiServer.client.Get(t.Context(), types.NamespacedName{Name: name}, validating); err != nil {
		t.Fatal(err)
	}
	validating.Webhooks[0].ClientConfig.CABundle = []byte("stale")
	if err := apiServer.client.Update(t.Context(), validating); err != nil {
		t.Fatal(err)
	}
	utils.Eventually(t, 30*time.Second, func() error { return sameCABundles(t, name, first.CABundle) })

	// The Secret deleted (say, by a chart upgrade that used to own it): a
	// new one is made and published.
	secret := &corev1.Secret{}
	secret.Namespace, secret.Name = c.Namespace, c.SecretName
	if err := apiServer.client.Delete(t.Context(), secret); err != nil {
		t.Fatal(err)
	}
	utils.Eventually(t, 30*time.Second, func() error {
		s := &corev1.Secret{}
		if err := apiServer.client.Get(t.Context(), types.NamespacedName{Namespace: c.Namespace, Name: c.SecretName}, s); err != nil {
			return err
		}
		if bytes.Equal(s.Data[certs.CACertKey], first.CABundle) {
			return fmt.Errorf("%w: the old Secret is still there", errWaiting)
		}
		return sameCABundles(t, name, s.Data[certs.CACertKey])
	})
}

// sameCABundles reports whether every webhook of name trusts want.
func sameCABundles(t *testing.T, name string, want []byte) error {
	got, _ := caBundles(t, name)
	for i, b := range got {
		if !bytes.Equal(b, want) {
			return fmt.Errorf("%w: webhook %d has another caBundle", errWaiting, i)
		}
	}
	return nil
}
