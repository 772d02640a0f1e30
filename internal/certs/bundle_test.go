// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package certs

import (
	"bytes"
	"crypto/x509"
	"encoding/pem"
	"net/netip"
	"testing"
	"time"
)

const (
	testCAValidity   = 10 * 365 * 24 * time.Hour
	testCertValidity = 365 * 24 * time.Hour
)

func testPolicy(now time.Time, extraDNS ...string) policy {
	c := Config{Namespace: "kube-system", ServiceName: "spiderpool-controller", ExtraDNSNames: extraDNS,
		ExtraIPs:   []netip.Addr{netip.MustParseAddr("127.0.0.1"), netip.MustParseAddr("::1")},
		CAValidity: testCAValidity, CertValidity: testCertValidity}
	return newPolicy(c, now)
}

// mustRenew renews b under p and fails t on error.
func mustRenew(t testing.TB, p policy, b Bundle) (Bundle, bool) {
	t.Helper()
	next, changed, err := p.renew(b)
	if err != nil {
		t.Fatalf("renew: %v", err)
	}
	return next, changed
}

// certs parses every CERTIFICATE block of data.
func parseCerts(t testing.TB, data []byte) []*x509.Certificate {
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

// verifyServes checks that b's serving certificate chains to b's CA bundle
// at p.now for every host of p, and that its key matches.
func verifyServes(t testing.TB, p policy, b Bundle) {
	t.Helper()
	if _, err := parseKeyPair(b.Cert, b.Key); err != nil {
		t.Fatalf("serving key pair: %v", err)
	}
	if _, err := parseKeyPair(b.CABundle, b.CAKey); err != nil {
		t.Fatalf("CA key pair: %v", err)
	}
	roots := x509.NewCertPool()
	if !roots.AppendCertsFromPEM(b.CABundle) {
		t.Fatal("CA bundle holds no certificate")
	}
	leaf := parseCerts(t, b.Cert)[0]
	for _, name := range p.hosts.dns {
		if _, err := leaf.Verify(x509.VerifyOptions{Roots: roots, DNSName: name, CurrentTime: p.now}); err != nil {
			t.Errorf("verify for %s: %v", name, err)
		}
	}
	for _, ip := range p.hosts.ips {
		if _, err := leaf.Verify(x509.VerifyOptions{Roots: roots, DNSName: ip.String(), CurrentTime: p.now}); err != nil {
			t.Errorf("verify for %s: %v", ip, err)
		}
	}
}

func TestRenewFromNothing(t *testing.T) {
	p := testPolicy(time.Now())
	b, changed := mustRenew(t, p, Bundle{})
	if !changed {
		t.Fatal("renew of an empty bundle reported no change")
	}
	verifyServes(t, p, b)
	if n := len(parseCerts(t, b.CABundle)); n != 1 {
		t.Errorf("CA bundle holds %d certificates, want 1", n)
	}
	again, changed := mustRenew(t, p, b)
	if changed || !again.equal(b) {
		t.Error("renew of a fresh bundle changed it")
	}
}

func TestRenewKeepsOrReplaces(t *testing.T) {
	t0 := time.Now()
	base, _ := mustRenew(t, testPolicy(t0), Bundle{})
	other, _ := mustRenew(t, testPolicy(t0), Bundle{})
	tests := []struct {
		name             string
		policy           policy
		in               Bundle
		wantCert, wantCA bool // whether the serving certificate, the CA is new
		wantPreviousCAs  int
	}{
		{name: "fresh", policy: testPolicy(t0.Add(testCertValidity / 2)), in: base},
		{name: "serving certificate due", policy: testPolicy(t0.Add(testCertValidity * 7 / 10)), in: base, wantCert: true},
		{name: "serving certificate expired", policy: testPolicy(t0.Add(2 * testCertValidity)), in: base, wantCert: true},
		{name: "new DNS name", policy: testPolicy(t0, "spiderpool.example.com"), in: base, wantCert: true},
		{name: "CA due", policy: testPolicy(t0.Add(testCAValidity * 7 / 10)), in: base, wantCert: true, wantCA: true, wantPreviousCAs: 1},
		{name: "CA expired", policy: testPolicy(t0.Add(2 * testCAValidity)), in: base, wantCert: true, wantCA: true},
		{name: "CA key of another CA", policy: testPolicy(t0), in: Bundle{CABundle: base.CABundle, CAKey: other.CAKey, Cert: base.Cert, Key: base.Key},
			wantCert: true, wantCA: true, wantPreviousCAs: 1},
		{name: "serving certificate of another CA", policy: testPolicy(t0), in: Bundle{CABundle: base.CABundle, CAKey: base.CAKey, Cert: other.Cert, Key: other.Key}, wantCert: true},
		{name: "serving key mismatch", policy: testPolicy(t0), in: Bundle{CABundle: base.CABundle, CAKey: base.CAKey, Cert: base.Cert, Key: other.Key}, wantCert: true},
		// Spiderpool's chart writes ca.crt, tls.crt and tls.key, no ca.key.
		{name: "no CA key (Spiderpool's Secret)", policy: testPolicy(t0), in: Bundle{CABundle: base.CABundle, Cert: base.Cert, Key: base.Key},
			wantCert: true, wantCA: true, wantPreviousCAs: 1},
		{name: "garbage", policy: testPolicy(t0), in: Bundle{CABundle: []byte("x"), CAKey: []byte("y"), Cert: []byte("z"), Key: []byte("w")}, wantCert: true, wantCA: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, changed := mustRenew(t, tt.policy, tt.in)
			verifyServes(t, tt.policy, got)
			newCA := !bytes.Equal(got.CAKey, tt.in.CAKey)
			newCert := !bytes.Equal(got.Cert, tt.in.Cert)
			if newCA != tt.wantCA || newCert != tt.wantCert || changed != (tt.wantCA || tt.wantCert) {
				t.Errorf("new CA %v, new certificate %v, changed %v; want %v, %v, %v", newCA, newCert, changed, tt.wantCA, tt.wantCert, tt.wantCA || tt.wantCert)
			}
			cas := parseCerts(t, got.CABundle)
			if len(cas)-1 != tt.wantPreviousCAs {
				t.Errorf("CA bundle keeps %d previous CAs, want %d", len(cas)-1, tt.wantPreviousCAs)
			}
			if tt.wantPreviousCAs > 0 && !cas[1].Equal(parseCerts(t, tt.in.CABundle)[0]) {
				t.Error("the previous CA is not the one replaced")
			}
		})
	}
}

func TestRenewPrunesExpiredCAs(t *testing.T) {
	t0 := time.Now()
	first, _ := mustRenew(t, testPolicy(t0), Bundle{})
	t1 := t0.Add(testCAValidity * 7 / 10)
	rotated, _ := mustRenew(t, testPolicy(t1), first)
	if n := len(parseCerts(t, rotated.CABundle)); n != 2 {
		t.Fatalf("after the CA renewal the bundle holds %d CAs, want 2", n)
	}
	// After the first CA expires (the second is still fresh) it is dropped.
	p := testPolicy(t0.Add(testCAValidity + time.Hour))
	pruned, changed := mustRenew(t, p, rotated)
	if !changed || !bytes.Equal(pruned.CAKey, rotated.CAKey) {
		t.Fatalf("changed %v, same CA key %v; want a change that keeps the CA", changed, bytes.Equal(pruned.CAKey, rotated.CAKey))
	}
	if n := len(parseCerts(t, pruned.CABundle)); n != 1 {
		t.Errorf("the bundle holds %d CAs after the old one expired, want 1", n)
	}
	verifyServes(t, p, pruned)
}

func TestRenewIgnoresClockSkew(t *testing.T) {
	t0 := time.Now()
	b, _ := mustRenew(t, testPolicy(t0), Bundle{})
	// A replica whose clock is two hours behind sees NotBefore in the future.
	if _, changed := mustRenew(t, testPolicy(t0.Add(-2*time.Hour)), b); changed {
		t.Error("a replica with a slow clock renewed a fresh bundle")
	}
}

func TestConfigValidate(t *testing.T) {
	good := Config{Namespace: "ns", SecretName: "s", ServiceName: "svc", CertFile: "/d/tls.crt", KeyFile: "/d/tls.key",
		CAValidity: testCAValidity, CertValidity: testCertValidity}
	if err := good.Validate(); err != nil {
		t.Fatalf("Validate(good) = %v", err)
	}
	bad := []func(*Config){
		func(c *Config) { c.Namespace = "" },
		func(c *Config) { c.SecretName = "" },
		func(c *Config) { c.ServiceName = "" },
		func(c *Config) { c.KeyFile = "/other/tls.key" },
		func(c *Config) { c.CertValidity = time.Minute },
	}
	for i, mutate := range bad {
		c := good
		mutate(&c)
		if err := c.Validate(); err == nil {
			t.Errorf("case %d: Validate(%+v) = nil, want an error", i, c)
		}
	}
}

// FuzzAssess feeds arbitrary Secret contents to the parser and checks the
// invariant that matters: a bundle is only kept (both parts assessed
// usable) when it really serves. It creates no keys, so it runs fast under
// coverage instrumentation; TestRenewKeepsOrReplaces covers renewal.
func FuzzAssess(f *testing.F) {
	p := testPolicy(time.Now())
	b, _, err := p.renew(Bundle{})
	if err != nil {
		f.Fatal(err)
	}
	other, _, err := p.renew(Bundle{})
	if err != nil {
		f.Fatal(err)
	}
	f.Add(b.CABundle, b.CAKey, b.Cert, b.Key)
	f.Add(append(b.CABundle, other.CABundle...), b.CAKey, b.Cert, b.Key)
	f.Add(b.CABundle, b.CAKey, other.Cert, other.Key)
	f.Add([]byte("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"), []byte{}, b.Cert, []byte("junk"))
	f.Fuzz(func(t *testing.T, ca, caKey, cert, key []byte) {
		in := Bundle{CABundle: ca, CAKey: caKey, Cert: cert, Key: key}
		a := p.assess(in)
		if a.certOK && !a.caOK {
			t.Fatal("serving certificate kept without its CA")
		}
		if a.certOK {
			verifyServes(t, p, Bundle{CABundle: joinPEM(a.ca.cert, a.previous), CAKey: caKey, Cert: cert, Key: key})
		}
	})
}
