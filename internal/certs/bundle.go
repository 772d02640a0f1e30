// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package certs

import (
	"bytes"
	"crypto/x509"
	"fmt"
	"net"
	"slices"
	"time"

	corev1 "k8s.io/api/core/v1"
)

// Keys of the Secret's data. ca.crt, tls.crt and tls.key are the keys of
// Spiderpool's Secret; ca.key is added so that any replica can sign.
const (
	CACertKey = "ca.crt"
	CAKeyKey  = "ca.key"
	CertKey   = corev1.TLSCertKey
	KeyKey    = corev1.TLSPrivateKeyKey
)

// Bundle is the PEM content of the Secret.
type Bundle struct {
	// CABundle is ca.crt: the current CA first, then any earlier CA that has
	// not expired. It is what the webhook configurations' caBundle holds.
	CABundle []byte
	// CAKey is ca.key, the current CA's private key.
	CAKey []byte
	// Cert is tls.crt, the serving certificate, signed by the current CA.
	Cert []byte
	// Key is tls.key, the serving certificate's private key.
	Key []byte
}

// bundleFromData reads a Bundle from a Secret's data.
func bundleFromData(data map[string][]byte) Bundle {
	return Bundle{CABundle: data[CACertKey], CAKey: data[CAKeyKey], Cert: data[CertKey], Key: data[KeyKey]}
}

// setData writes b into a Secret's data, keeping its other keys.
func (b Bundle) setData(data map[string][]byte) map[string][]byte {
	if data == nil {
		data = map[string][]byte{}
	}
	data[CACertKey], data[CAKeyKey], data[CertKey], data[KeyKey] = b.CABundle, b.CAKey, b.Cert, b.Key
	return data
}

// equal reports whether b and o hold the same bytes.
func (b Bundle) equal(o Bundle) bool {
	return bytes.Equal(b.CABundle, o.CABundle) && bytes.Equal(b.CAKey, o.CAKey) &&
		bytes.Equal(b.Cert, o.Cert) && bytes.Equal(b.Key, o.Key)
}

// policy decides, at one instant, whether a bundle is still good.
type policy struct {
	now                      time.Time
	caValidity, certValidity time.Duration
	hosts                    hosts
}

// newPolicy returns the policy of c at now.
func newPolicy(c Config, now time.Time) policy {
	return policy{now: now, caValidity: c.CAValidity, certValidity: c.CertValidity, hosts: c.hosts()}
}

// assessment is what of a bundle can be kept.
type assessment struct {
	// ca is the parsed CA, valid only when caOK.
	ca keyPair
	// caOK and certOK say whether the CA and the serving certificate can be
	// kept; certOK implies caOK.
	caOK, certOK bool
	// previous are the earlier CAs to keep trusting.
	previous []*x509.Certificate
}

// assess parses old and checks each part; it creates nothing.
func (p policy) assess(old Bundle) assessment {
	var a assessment
	ca, err := parseKeyPair(old.CABundle, old.CAKey)
	a.caOK = err == nil && p.canSign(ca.cert)
	a.previous = p.previousCAs(old.CABundle, a.caOK)
	if !a.caOK {
		return a
	}
	a.ca = ca
	serving, err := parseKeyPair(old.Cert, old.Key)
	a.certOK = err == nil && p.serves(serving.cert, ca.cert)
	return a
}

// renew returns old with whatever needs renewing renewed, and whether
// anything changed. Anything that does not parse is replaced.
func (p policy) renew(old Bundle) (Bundle, bool, error) {
	a := p.assess(old)
	next := Bundle{CAKey: old.CAKey, Cert: old.Cert, Key: old.Key}
	ca := a.ca
	if !a.caOK {
		var err error
		if ca, err = newCA(p.now, p.caValidity); err != nil {
			return Bundle{}, false, fmt.Errorf("new CA: %w", err)
		}
		next.CAKey = ca.keyPEM
	}
	next.CABundle = joinPEM(ca.cert, a.previous)
	if !a.certOK {
		serving, err := newServingCert(ca, p.now, p.certValidity, p.hosts)
		if err != nil {
			return Bundle{}, false, fmt.Errorf("new serving certificate: %w", err)
		}
		next.Cert, next.Key = serving.certPEM, serving.keyPEM
	}
	return next, !next.equal(old), nil
}

// canSign reports whether cert is a self-signed CA with more than a third
// of its lifetime left.
func (p policy) canSign(cert *x509.Certificate) bool {
	return cert.IsCA && cert.KeyUsage&x509.KeyUsageCertSign != 0 && cert.CheckSignatureFrom(cert) == nil && p.fresh(cert)
}

// serves reports whether cert chains to ca for server authentication,
// covers the required names and has more than a third of its lifetime
// left. The chain is verified as of cert's NotBefore: expiry is fresh's
// business, and a replica whose clock is behind must not find a new
// certificate "not yet valid" and replace it.
func (p policy) serves(cert, ca *x509.Certificate) bool {
	roots := x509.NewCertPool()
	roots.AddCert(ca)
	_, err := cert.Verify(x509.VerifyOptions{Roots: roots, CurrentTime: cert.NotBefore,
		KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}})
	if err != nil || !p.fresh(cert) {
		return false
	}
	for _, name := range p.hosts.dns {
		if !slices.Contains(cert.DNSNames, name) {
			return false
		}
	}
	for _, ip := range p.hosts.ips {
		if !slices.ContainsFunc(cert.IPAddresses, func(have net.IP) bool { return have.Equal(ip.AsSlice()) }) {
			return false
		}
	}
	return true
}

// fresh reports whether more than a third of cert's lifetime is left. A
// NotBefore in the future (a peer's clock ahead of ours) does not count
// against it, so replicas with skewed clocks do not renew in turn.
func (p policy) fresh(cert *x509.Certificate) bool {
	return renewAt(cert).After(p.now)
}

// renewAt is when a third of cert's lifetime is left.
func renewAt(cert *x509.Certificate) time.Time {
	return cert.NotAfter.Add(-cert.NotAfter.Sub(cert.NotBefore) / 3)
}

// previousCAs returns the CAs of caBundle to keep trusting: the ones after
// the first, plus the first when it is being replaced, that have not
// expired.
func (p policy) previousCAs(caBundle []byte, keepFirstOut bool) []*x509.Certificate {
	firstPEM, rest := splitPEM(caBundle)
	if !keepFirstOut && firstPEM != nil {
		if first, err := parseFirstCert(firstPEM); err == nil {
			rest = append([]*x509.Certificate{first}, rest...)
		}
	}
	return slices.DeleteFunc(rest, func(c *x509.Certificate) bool { return !c.NotAfter.After(p.now) || !c.IsCA })
}

// joinPEM encodes current followed by the distinct others.
func joinPEM(current *x509.Certificate, others []*x509.Certificate) []byte {
	out := encodeCert(current)
	seen := [][]byte{current.Raw}
	for _, c := range others {
		if slices.ContainsFunc(seen, func(raw []byte) bool { return bytes.Equal(raw, c.Raw) }) {
			continue
		}
		seen = append(seen, c.Raw)
		out = append(out, encodeCert(c)...)
	}
	return out
}
