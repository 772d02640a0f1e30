// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package certs

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net"
	"net/netip"
	"slices"
	"time"
)

// backdate is how far before "now" a new certificate becomes valid, so that
// a replica or API server whose clock is a little behind accepts it.
const backdate = time.Hour

// caCommonName is the subject of the CAs this package creates.
const caCommonName = "spiderpool-controller-ca"

// errNoPEM is returned when data holds no PEM block.
var errNoPEM = errors.New("no PEM block")

// keyPair is a certificate with its key, parsed and PEM-encoded.
type keyPair struct {
	cert    *x509.Certificate
	key     crypto.Signer
	certPEM []byte
	keyPEM  []byte
}

// hosts are the subject alternative names of a serving certificate.
type hosts struct {
	dns []string
	ips []netip.Addr
}

// newCA returns a self-signed CA valid for validity from now.
func newCA(now time.Time, validity time.Duration) (keyPair, error) {
	tmpl := &x509.Certificate{
		Subject:               pkix.Name{CommonName: caCommonName},
		NotBefore:             now.Add(-backdate),
		NotAfter:              now.Add(validity),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature | x509.KeyUsageCRLSign,
		BasicConstraintsValid: true,
		IsCA:                  true,
		MaxPathLenZero:        true,
	}
	return issue(tmpl, nil)
}

// newServingCert returns a serving certificate for h signed by ca, valid for
// validity from now but never beyond the CA.
func newServingCert(ca keyPair, now time.Time, validity time.Duration, h hosts) (keyPair, error) {
	notAfter := now.Add(validity)
	if notAfter.After(ca.cert.NotAfter) {
		notAfter = ca.cert.NotAfter
	}
	tmpl := &x509.Certificate{
		Subject:     pkix.Name{CommonName: h.dns[0]},
		DNSNames:    slices.Clone(h.dns),
		NotBefore:   now.Add(-backdate),
		NotAfter:    notAfter,
		KeyUsage:    x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	for _, ip := range h.ips {
		tmpl.IPAddresses = append(tmpl.IPAddresses, net.IP(ip.AsSlice()))
	}
	return issue(tmpl, &ca)
}

// issue creates a P-256 key and a certificate from tmpl, signed by parent,
// or self-signed when parent is nil.
func issue(tmpl *x509.Certificate, parent *keyPair) (keyPair, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return keyPair{}, fmt.Errorf("generate key: %w", err)
	}
	if tmpl.SerialNumber, err = rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127)); err != nil {
		return keyPair{}, fmt.Errorf("generate serial number: %w", err)
	}
	signerCert, signerKey := tmpl, crypto.Signer(key)
	if parent != nil {
		signerCert, signerKey = parent.cert, parent.key
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, signerCert, key.Public(), signerKey)
	if err != nil {
		return keyPair{}, fmt.Errorf("sign certificate %q: %w", tmpl.Subject.CommonName, err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return keyPair{}, fmt.Errorf("encode key: %w", err)
	}
	return parseKeyPair(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}))
}

// parseKeyPair parses a PEM certificate (the first of certPEM) and its key
// (PKCS#8, PKCS#1 or SEC 1), and checks that they match.
func parseKeyPair(certPEM, keyPEM []byte) (keyPair, error) {
	first, _ := splitPEM(certPEM)
	pair, err := tls.X509KeyPair(first, keyPEM)
	if err != nil {
		return keyPair{}, fmt.Errorf("parse key pair: %w", err)
	}
	signer, ok := pair.PrivateKey.(crypto.Signer)
	if !ok {
		return keyPair{}, fmt.Errorf("parse key pair: key of type %T cannot sign", pair.PrivateKey)
	}
	return keyPair{cert: pair.Leaf, key: signer, certPEM: first, keyPEM: keyPEM}, nil
}

// splitPEM returns the first CERTIFICATE block of data, PEM-encoded, and
// the parsed certificates of the blocks after it that parse.
func splitPEM(data []byte) (first []byte, rest []*x509.Certificate) {
	for block, more := pem.Decode(data); block != nil; block, more = pem.Decode(more) {
		if block.Type != "CERTIFICATE" {
			continue
		}
		if first == nil {
			first = pem.EncodeToMemory(block)
			continue
		}
		if cert, err := x509.ParseCertificate(block.Bytes); err == nil {
			rest = append(rest, cert)
		}
	}
	return first, rest
}

// encodeCert returns cert as a PEM block.
func encodeCert(cert *x509.Certificate) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert.Raw})
}

// parseFirstCert parses the first PEM block of data as a certificate.
func parseFirstCert(data []byte) (*x509.Certificate, error) {
	block, _ := pem.Decode(data)
	if block == nil {
		return nil, errNoPEM
	}
	cert, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("parse certificate: %w", err)
	}
	return cert, nil
}
