// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package certs_test

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"net/netip"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	clocktesting "k8s.io/utils/clock/testing"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/spiderpool-go/spiderpool/internal/certs"
)

// newNamespace creates a namespace for one test.
func newNamespace(t *testing.T) string {
	t.Helper()
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{GenerateName: "certs-"}}
	if err := apiServer.client.Create(t.Context(), ns); err != nil {
		t.Fatalf("create namespace: %v", err)
	}
	return ns.Name
}

// newConfig returns the configuration of one replica: its own certificate
// directory, the shared Secret and webhook configurations.
func newConfig(t *testing.T, ns, webhookConfigs string) certs.Config {
	t.Helper()
	dir := t.TempDir()
	return certs.Config{Namespace: ns, SecretName: certs.DefaultSecretName, ServiceName: certs.DefaultServiceName,
		ExtraIPs: []netip.Addr{netip.MustParseAddr("127.0.0.1")}, CAValidity: 30 * 24 * time.Hour, CertValidity: 3 * 24 * time.Hour,
		CertFile: filepath.Join(dir, "tls.crt"), KeyFile: filepath.Join(dir, "tls.key"),
		MutatingWebhookConfiguration: webhookConfigs, ValidatingWebhookConfiguration: webhookConfigs}
}

// newReconciler returns a replica's Reconciler on the shared API server.
func newReconciler(t *testing.T, c certs.Config, clk *clocktesting.FakePassiveClock) *certs.Reconciler {
	t.Helper()
	var r *certs.Reconciler
	var err error
	if clk == nil {
		r, err = certs.NewReconciler(c, apiServer.client, apiServer.client, nil)
	} else {
		r, err = certs.NewReconciler(c, apiServer.client, apiServer.client, clk)
	}
	if err != nil {
		t.Fatalf("NewReconciler: %v", err)
	}
	return r
}

// mustSync runs one Sync and returns the bundle.
func mustSync(t *testing.T, r *certs.Reconciler) certs.Bundle {
	t.Helper()
	b, after, err := r.Sync(t.Context())
	if err != nil {
		t.Fatalf("Sync: %v", err)
	}
	if after < time.Minute || after > time.Hour {
		t.Errorf("Sync asks to check again after %s, want within [1m, 1h]", after)
	}
	return b
}

// getSecret reads the shared Secret.
func getSecret(t *testing.T, c certs.Config) *corev1.Secret {
	t.Helper()
	s := &corev1.Secret{}
	if err := apiServer.client.Get(t.Context(), types.NamespacedName{Namespace: c.Namespace, Name: c.SecretName}, s); err != nil {
		t.Fatalf("get Secret: %v", err)
	}
	return s
}

// checkFiles checks that the replica's files hold b's serving pair.
func checkFiles(t *testing.T, c certs.Config, b certs.Bundle) {
	t.Helper()
	for file, want := range map[string][]byte{c.CertFile: b.Cert, c.KeyFile: b.Key} {
		got, err := os.ReadFile(file)
		if err != nil {
			t.Fatalf("read %s: %v", file, err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s does not hold the Secret's content", file)
		}
	}
	if _, err := tls.LoadX509KeyPair(c.CertFile, c.KeyFile); err != nil {
		t.Errorf("the files are not a key pair: %v", err)
	}
}

// pemCerts parses every certificate of data.
func pemCerts(t *testing.T, data []byte) []*x509.Certificate {
	t.Helper()
	var out []*x509.Certificate
	for block, rest := pem.Decode(data); block != nil; block, rest = pem.Decode(rest) {
		c, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			t.Fatalf("parse certificate: %v", err)
		}
		out = append(out, c)
	}
	return out
}

// checkTrusted checks that the serving certificate of b is trusted by
// caBundle for the service name, at now.
func checkTrusted(t *testing.T, c certs.Config, caBundle, cert []byte, now time.Time) {
	t.Helper()
	roots := x509.NewCertPool()
	if !roots.AppendCertsFromPEM(caBundle) {
		t.Fatal("caBundle holds no certificate")
	}
	name := c.ServiceName + "." + c.Namespace + ".svc"
	for _, host := range []string{name, "127.0.0.1"} {
		if _, err := pemCerts(t, cert)[0].Verify(x509.VerifyOptions{Roots: roots, DNSName: host, CurrentTime: now}); err != nil {
			t.Errorf("serving certificate for %s not trusted by the caBundle: %v", host, err)
		}
	}
}

func TestSyncCreatesOneSecretForAllReplicas(t *testing.T) {
	ns := newNamespace(t)
	c1, c2 := newConfig(t, ns, ""), newConfig(t, ns, "")
	b1 := mustSync(t, newReconciler(t, c1, nil))
	secret := getSecret(t, c1)
	if secret.Type != corev1.SecretTypeTLS {
		t.Errorf("Secret type %q, want %q", secret.Type, corev1.SecretTypeTLS)
	}
	for _, key := range []string{certs.CACertKey, certs.CAKeyKey, certs.CertKey, certs.KeyKey} {
		if len(secret.Data[key]) == 0 {
			t.Errorf("Secret has no %s", key)
		}
	}
	// A second replica, or a restart, reuses the Secret as it is.
	b2 := mustSync(t, newReconciler(t, c2, nil))
	if diff := cmp.Diff(b1, b2); diff != "" {
		t.Errorf("second replica's bundle differs (-first +second):\n%s", diff)
	}
	if again := getSecret(t, c1); again.ResourceVersion != secret.ResourceVersion {
		t.Errorf("the second replica rewrote the Secret (resourceVersion %s -> %s)", secret.ResourceVersion, again.ResourceVersion)
	}
	checkFiles(t, c1, b1)
	checkFiles(t, c2, b1)
	checkTrusted(t, c1, b1.CABundle, b1.Cert, time.Now())
}

func TestSyncConcurrentReplicasAgree(t *testing.T) {
	ns := newNamespace(t)
	const replicas = 4
	bundles := make([]certs.Bundle, replicas)
	rs := make([]*certs.Reconciler, replicas)
	for i := range rs {
		rs[i] = newReconciler(t, newConfig(t, ns, ""), nil)
	}
	var wg sync.WaitGroup
	errs := make([]error, replicas)
	for i, r := range rs {
		wg.Go(func() { bundles[i], _, errs[i] = r.Sync(t.Context()) })
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("replica %d: Sync: %v", i, err)
		}
	}
	secret := getSecret(t, newConfig(t, ns, ""))
	for i, b := range bundles {
		if !bytes.Equal(b.CABundle, secret.Data[certs.CACertKey]) || !bytes.Equal(b.Cert, secret.Data[certs.CertKey]) {
			t.Errorf("replica %d serves a certificate other than the Secret's", i)
		}
	}
}

// newWebhookConfigurations creates a Mutating and a Validating webhook
// configuration of two webhooks each, with no caBundle, and returns their
// name. They match no request.
func newWebhookConfigurations(t *testing.T) string {
	t.Helper()
	name := "wh-" + newNamespace(t) // unique, cluster-scoped
	webhook := func(n string) (admissionregistrationv1.WebhookClientConfig, []admissionregistrationv1.RuleWithOperations) {
		return admissionregistrationv1.WebhookClientConfig{
				Service: &admissionregistrationv1.ServiceReference{Namespace: "spiderpool", Name: "spiderpool-controller", Path: ptr.To("/" + n)},
			}, []admissionregistrationv1.RuleWithOperations{{
				Operations: []admissionregistrationv1.OperationType{admissionregistrationv1.Create},
				Rule:       admissionregistrationv1.Rule{APIGroups: []string{"example.com"}, APIVersions: []string{"v1"}, Resources: []string{"nothings"}},
			}}
	}
	none, ignore := admissionregistrationv1.SideEffectClassNone, admissionregistrationv1.Ignore
	mutating := &admissionregistrationv1.MutatingWebhookConfiguration{ObjectMeta: metav1.ObjectMeta{Name: name}}
	validating := &admissionregistrationv1.ValidatingWebhookConfiguration{ObjectMeta: metav1.ObjectMeta{Name: name}}
	for _, n := range []string{"a.spiderpool.spidernet.io", "b.spiderpool.spidernet.io"} {
		cc, rules := webhook(n)
		mutating.Webhooks = append(mutating.Webhooks, admissionregistrationv1.MutatingWebhook{Name: n, ClientConfig: cc, Rules: rules,
			SideEffects: &none, FailurePolicy: &ignore, AdmissionReviewVersions: []string{"v1"}})
		validating.Webhooks = append(validating.Webhooks, admissionregistrationv1.ValidatingWebhook{Name: n, ClientConfig: cc, Rules: rules,
			SideEffects: &none, FailurePolicy: &ignore, AdmissionReviewVersions: []string{"v1"}})
	}
	for _, o := range []client.Object{mutating, validating} {
		if err := apiServer.client.Create(t.Context(), o); err != nil {
			t.Fatalf("create %T: %v", o, err)
		}
	}
	return name
}

// caBundles returns the caBundle of every webhook of the configurations
// name, and their resourceVersions.
func caBundles(t *testing.T, name string) (bundles [][]byte, versions []string) {
	t.Helper()
	mutating := &admissionregistrationv1.MutatingWebhookConfiguration{}
	validating := &admissionregistrationv1.ValidatingWebhookConfiguration{}
	for _, o := range []client.Object{mutating, validating} {
		if err := apiServer.client.Get(t.Context(), types.NamespacedName{Name: name}, o); err != nil {
			t.Fatalf("get %T: %v", o, err)
		}
		versions = append(versions, o.GetResourceVersion())
	}
	for _, w := range mutating.Webhooks {
		bundles = append(bundles, w.ClientConfig.CABundle)
	}
	for _, w := range validating.Webhooks {
		bundles = append(bundles, w.ClientConfig.CABundle)
	}
	return bundles, versions
}

// checkCABundles checks that every webhook of name trusts exactly want.
func checkCABundles(t *testing.T, name string, want []byte) []string {
	t.Helper()
	got, versions := caBundles(t, name)
	for i, b := range got {
		if !bytes.Equal(b, want) {
			t.Errorf("webhook %d: caBundle is not the Secret's ca.crt", i)
		}
	}
	return versions
}

func TestSyncKeepsCABundle(t *testing.T) {
	ns := newNamespace(t)
	name := newWebhookConfigurations(t)
	c := newConfig(t, ns, name)
	r := newReconciler(t, c, nil)
	b := mustSync(t, r)
	checkCABundles(t, name, b.CABundle)

	// A chart upgrade (or a user) resets one webhook's caBundle.
	mutating := &admissionregistrationv1.MutatingWebhookConfiguration{}
	if err := apiServer.client.Get(t.Context(), types.NamespacedName{Name: name}, mutating); err != nil {
		t.Fatal(err)
	}
	mutating.Webhooks[1].ClientConfig.CABundle = nil
	if err := apiServer.client.Update(t.Context(), mutating); err != nil {
		t.Fatal(err)
	}
	mustSync(t, r)
	versions := checkCABundles(t, name, b.CABundle)

	// Nothing to do: nothing is written.
	mustSync(t, newReconciler(t, newConfig(t, ns, name), nil))
	if _, again := caBundles(t, name); !cmp.Equal(again, versions) {
		t.Errorf("an idempotent Sync rewrote the configurations: resourceVersions %v -> %v", versions, again)
	}
}

func TestSyncRenews(t *testing.T) {
	ns := newNamespace(t)
	name := newWebhookConfigurations(t)
	t0 := time.Now()
	clk := clocktesting.NewFakePassiveClock(t0)
	c := newConfig(t, ns, name)
	r := newReconciler(t, c, clk)
	b0 := mustSync(t, r)

	// Two thirds of the serving certificate's lifetime on: a new certificate
	// from the same CA; the caBundle does not change.
	clk.SetTime(t0.Add(c.CertValidity * 7 / 10))
	b1 := mustSync(t, r)
	if bytes.Equal(b1.Cert, b0.Cert) || !bytes.Equal(b1.CABundle, b0.CABundle) || !bytes.Equal(b1.CAKey, b0.CAKey) {
		t.Fatal("want a new serving certificate from the same CA")
	}
	checkCABundles(t, name, b0.CABundle)
	checkFiles(t, c, b1)
	checkTrusted(t, c, b0.CABundle, b1.Cert, clk.Now())
	other := newConfig(t, ns, name)
	if b := mustSync(t, newReconciler(t, other, clk)); !bytes.Equal(b.Cert, b1.Cert) {
		t.Error("another replica renewed again")
	}
	checkFiles(t, other, b1)

	// Two thirds of the CA's lifetime on: a new CA; the bundle trusts both
	// the new CA and the previous one until it expires.
	clk.SetTime(t0.Add(c.CAValidity * 7 / 10))
	b2 := mustSync(t, r)
	cas := pemCerts(t, b2.CABundle)
	if bytes.Equal(b2.CAKey, b1.CAKey) || len(cas) != 2 || !cas[1].Equal(pemCerts(t, b0.CABundle)[0]) {
		t.Fatalf("want a new CA followed by the previous one, got %d CAs (new key %v)", len(cas), !bytes.Equal(b2.CAKey, b1.CAKey))
	}
	checkCABundles(t, name, b2.CABundle)
	checkFiles(t, c, b2)
	checkTrusted(t, c, b2.CABundle, b2.Cert, clk.Now())
	checkTrusted(t, c, b2.CABundle, b1.Cert, t0.Add(c.CertValidity*8/10)) // a replica not yet reloaded
}

func TestSyncTakesOverSpiderpoolSecret(t *testing.T) {
	ns := newNamespace(t)
	// Spiderpool's chart writes ca.crt, tls.crt and tls.key but no ca.key.
	old := mustSync(t, newReconciler(t, func() certs.Config {
		c := newConfig(t, ns, "")
		c.SecretName = "elsewhere"
		return c
	}(), nil))
	c := newConfig(t, ns, "")
	secret := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: c.SecretName}, Type: corev1.SecretTypeTLS,
		Data: map[string][]byte{certs.CACertKey: old.CABundle, certs.CertKey: old.Cert, certs.KeyKey: old.Key}}
	if err := apiServer.client.Create(t.Context(), secret); err != nil {
		t.Fatal(err)
	}
	b := mustSync(t, newReconciler(t, c, nil))
	cas := pemCerts(t, b.CABundle)
	if len(b.CAKey) == 0 || len(cas) != 2 || !cas[1].Equal(pemCerts(t, old.CABundle)[0]) {
		t.Fatalf("want a CA of our own followed by Spiderpool's, got %d CAs", len(cas))
	}
	stored := getSecret(t, c)
	if !bytes.Equal(stored.Data[certs.CAKeyKey], b.CAKey) || !bytes.Equal(stored.Data[certs.CACertKey], b.CABundle) {
		t.Error("the Secret does not hold the new bundle")
	}
	checkTrusted(t, c, b.CABundle, old.Cert, time.Now()) // Spiderpool's pods, until they are replaced
}
