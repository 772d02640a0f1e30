// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package controller_test

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	coordinationv1 "k8s.io/api/coordination/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/utils/ptr"

	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
	"github.com/spiderpool-go/spiderpool/internal/certs"
	"github.com/spiderpool-go/spiderpool/internal/config"
	"github.com/spiderpool-go/spiderpool/internal/controller"
	"github.com/spiderpool-go/spiderpool/test/utils"
)

// Short Lease timings for the tests, loose enough for -race on a busy
// machine.
var testLeaderElection = config.LeaderElectionEnv{
	LeaseDuration: 4 * time.Second, RenewDeadline: 3 * time.Second, RetryPeriod: 500 * time.Millisecond, RetryGap: time.Second,
}

// newNamespace creates a namespace for one test.
func newNamespace(t *testing.T) string {
	t.Helper()
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{GenerateName: "controller-"}}
	if err := apiServer.client.Create(t.Context(), ns); err != nil {
		t.Fatalf("create namespace: %v", err)
	}
	return ns.Name
}

// handedOut are the ports freePort returned in this process: the kernel may
// offer a just-closed port again, and two replicas must not share one.
var handedOut sync.Map

// freePort returns a TCP port that was free a moment ago and that no other
// call in this process has returned.
func freePort(t *testing.T) int {
	t.Helper()
	for {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr, ok := l.Addr().(*net.TCPAddr)
		_ = l.Close()
		if !ok {
			t.Fatalf("listener address %v", l.Addr())
		}
		if _, dup := handedOut.LoadOrStore(addr.Port, true); !dup {
			return addr.Port
		}
	}
}

// replica returns the options of one controller pod named name in ns,
// with its own ports and certificate directory.
func replica(t *testing.T, ns, name string) controller.Options {
	t.Helper()
	vars := map[string]string{config.EnvPodNamespace: ns, config.EnvPodName: name, config.EnvEnabledMetric: "true"}
	env, err := config.ParseControllerEnv(func(k string) (string, bool) { v, ok := vars[k]; return v, ok })
	if err != nil {
		t.Fatal(err)
	}
	env.HealthPort, env.WebhookPort, env.MetricHTTPPort = freePort(t), freePort(t), freePort(t)
	env.LeaderElection = testLeaderElection
	dir := t.TempDir()
	return controller.Options{
		Env: env, ConfigMap: config.ConfigMap{EnableSpiderSubnet: true}, ManageCerts: true, SkipControllerNameValidation: true,
		TLS: certs.Config{Namespace: ns, SecretName: certs.DefaultSecretName, ServiceName: certs.DefaultServiceName,
			ExtraIPs: []netip.Addr{netip.MustParseAddr("127.0.0.1")}, CAValidity: certs.DefaultCAValidity, CertValidity: certs.DefaultCertValidity,
			CertFile: filepath.Join(dir, "tls.crt"), KeyFile: filepath.Join(dir, "tls.key"),
			MutatingWebhookConfiguration: "wh-" + ns, ValidatingWebhookConfiguration: "wh-" + ns},
	}
}

// startReplica runs a replica and returns the function that stops it and returns
// Run's error.
func startReplica(t *testing.T, opts controller.Options) (stop func() error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.WithoutCancel(t.Context()))
	done := make(chan error, 1)
	go func() { done <- controller.Run(ctx, opts, apiServer.cfg) }()
	stopped := false
	stop = func() error {
		if stopped {
			return nil
		}
		stopped = true
		cancel()
		return <-done
	}
	t.Cleanup(func() {
		if err := stop(); err != nil {
			t.Errorf("replica %s: %v", opts.Env.PodName, err)
		}
	})
	return stop
}

// leaseHolder returns the holder of the controller Lease in ns.
func leaseHolder(t *testing.T, ns string) string {
	lease := &coordinationv1.Lease{}
	if err := apiServer.client.Get(t.Context(), types.NamespacedName{Namespace: ns, Name: controller.LeaseName}, lease); err != nil {
		return ""
	}
	return ptr.Deref(lease.Spec.HolderIdentity, "")
}

// holderIs reports whether name holds the Lease in ns.
func holderIs(t *testing.T, ns, name string) func() error {
	return func() error {
		if got := leaseHolder(t, ns); got != name {
			return fmt.Errorf("%w: Lease holder %q, want %q", errWaiting, got, name)
		}
		return nil
	}
}

// probe reports whether GET url answers 200.
func probe(c *http.Client, url string) error {
	resp, err := c.Get(url)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%w: %s answered %s", errWaiting, url, resp.Status)
	}
	return nil
}

// healthy reports whether every probe of the replica answers 200.
func healthy(opts controller.Options) func() error {
	return func() error {
		for _, path := range []string{controller.StartupPath, controller.LivenessPath, controller.ReadinessPath} {
			url := "http://" + net.JoinHostPort("127.0.0.1", strconv.Itoa(opts.Env.HealthPort)) + path
			if err := probe(http.DefaultClient, url); err != nil {
				return err
			}
		}
		return nil
	}
}

// createValidatingConfiguration creates the replicas' (only) webhook
// configuration, with no caBundle and matching no request.
func createValidatingConfiguration(t *testing.T, ns string) {
	t.Helper()
	none, ignore := admissionregistrationv1.SideEffectClassNone, admissionregistrationv1.Ignore
	vwc := &admissionregistrationv1.ValidatingWebhookConfiguration{
		ObjectMeta: metav1.ObjectMeta{Name: "wh-" + ns},
		Webhooks: []admissionregistrationv1.ValidatingWebhook{{
			Name: "spiderippool.spiderpool.spidernet.io",
			ClientConfig: admissionregistrationv1.WebhookClientConfig{Service: &admissionregistrationv1.ServiceReference{
				Namespace: ns, Name: certs.DefaultServiceName, Path: ptr.To("/validate-nothing")}},
			Rules: []admissionregistrationv1.RuleWithOperations{{
				Operations: []admissionregistrationv1.OperationType{admissionregistrationv1.Create},
				Rule:       admissionregistrationv1.Rule{APIGroups: []string{"example.com"}, APIVersions: []string{"v1"}, Resources: []string{"nothings"}},
			}},
			SideEffects: &none, FailurePolicy: &ignore, AdmissionReviewVersions: []string{"v1"},
		}},
	}
	if err := apiServer.client.Create(t.Context(), vwc); err != nil {
		t.Fatal(err)
	}
}

// checkServedCertificate checks that the replica's webhook server serves a
// certificate for the webhook Service, trusted by the Secret's CA and by
// the webhook configuration's caBundle.
func checkServedCertificate(t *testing.T, opts controller.Options) {
	t.Helper()
	secret := &corev1.Secret{}
	if err := apiServer.client.Get(t.Context(), types.NamespacedName{Namespace: opts.TLS.Namespace, Name: opts.TLS.SecretName}, secret); err != nil {
		t.Fatal(err)
	}
	roots := x509.NewCertPool()
	if !roots.AppendCertsFromPEM(secret.Data[certs.CACertKey]) {
		t.Fatal("the Secret has no CA")
	}
	hc := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: roots,
		ServerName: opts.TLS.ServiceName + "." + opts.TLS.Namespace + ".svc", MinVersion: tls.VersionTLS12}}}
	url := "https://" + net.JoinHostPort("127.0.0.1", strconv.Itoa(opts.Env.WebhookPort)) + controller.WebhookHealthPath
	if err := probe(hc, url); err != nil {
		t.Errorf("webhook server of %s: %v", opts.Env.PodName, err)
	}
	vwc := &admissionregistrationv1.ValidatingWebhookConfiguration{}
	if err := apiServer.client.Get(t.Context(), types.NamespacedName{Name: opts.TLS.ValidatingWebhookConfiguration}, vwc); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(vwc.Webhooks[0].ClientConfig.CABundle, secret.Data[certs.CACertKey]) {
		t.Error("the webhook configuration's caBundle is not the Secret's CA")
	}
}

func TestLeaderHandsOverWhenStopped(t *testing.T) {
	ns := newNamespace(t)
	createValidatingConfiguration(t, ns)
	a, b := replica(t, ns, "controller-a"), replica(t, ns, "controller-b")
	stopA := startReplica(t, a)
	utils.Eventually(t, time.Minute, holderIs(t, ns, "controller-a"))
	startReplica(t, b)
	utils.Eventually(t, time.Minute, healthy(a))
	utils.Eventually(t, time.Minute, healthy(b))
	metricsURL := "http://" + net.JoinHostPort("127.0.0.1", strconv.Itoa(a.Env.MetricHTTPPort)) + "/metrics"
	if err := probe(http.DefaultClient, metricsURL); err != nil {
		t.Errorf("metrics: %v", err)
	}
	checkServedCertificate(t, a)
	checkServedCertificate(t, b)

	first := poolName(t) + "-1"
	createPool(t, first, spiderpoolv2beta1.IPPoolSpec{Subnet: "10.8.0.0/16", IPs: []string{"10.8.0.1-10.8.0.8"}}, false)
	utils.Eventually(t, time.Minute, func() error { return poolCountsAre(t, first, 8, 0) })

	stopped := time.Now()
	if err := stopA(); err != nil {
		t.Fatalf("stop the leader: %v", err)
	}
	utils.Eventually(t, testLeaderElection.LeaseDuration+time.Minute, holderIs(t, ns, "controller-b"))
	t.Logf("controller-b took over %s after the leader stopped (lease duration %s)", time.Since(stopped).Round(time.Millisecond), testLeaderElection.LeaseDuration)

	second := poolName(t) + "-2"
	createPool(t, second, spiderpoolv2beta1.IPPoolSpec{Subnet: "10.9.0.0/16", IPs: []string{"10.9.0.1-10.9.0.4"}}, false)
	utils.Eventually(t, time.Minute, func() error { return poolCountsAre(t, second, 4, 0) })
	utils.Eventually(t, time.Minute, healthy(b))
}

func TestLeaderTakesOverFromDeadLeader(t *testing.T) {
	ns := newNamespace(t)
	createValidatingConfiguration(t, ns)
	// A leader that died without releasing the Lease.
	now := metav1.NewMicroTime(time.Now())
	lease := &coordinationv1.Lease{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: controller.LeaseName},
		Spec: coordinationv1.LeaseSpec{HolderIdentity: ptr.To("controller-dead"), LeaseDurationSeconds: ptr.To(int32(testLeaderElection.LeaseDuration / time.Second)),
			AcquireTime: &now, RenewTime: &now}}
	if err := apiServer.client.Create(t.Context(), lease); err != nil {
		t.Fatal(err)
	}
	c := replica(t, ns, "controller-c")
	startReplica(t, c)
	utils.Eventually(t, testLeaderElection.LeaseDuration+time.Minute, holderIs(t, ns, "controller-c"))
	t.Logf("controller-c took over %s after the dead leader's last renewal (lease duration %s)", time.Since(now.Time).Round(time.Millisecond), testLeaderElection.LeaseDuration)
	utils.Eventually(t, time.Minute, healthy(c))
	name := poolName(t)
	createPool(t, name, spiderpoolv2beta1.IPPoolSpec{Subnet: "10.10.0.0/16", IPs: []string{"10.10.0.1-10.10.0.2"}}, false)
	utils.Eventually(t, time.Minute, func() error { return poolCountsAre(t, name, 2, 0) })
}
