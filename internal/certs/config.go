// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package certs

import (
	"errors"
	"fmt"
	"net/netip"
	"path/filepath"
	"time"
)

// Defaults of [Config].
const (
	// DefaultSecretName is the chart's tls.secretName.
	DefaultSecretName = "spiderpool-controller-server-certs"
	// DefaultServiceName is the Service in front of the webhook server.
	DefaultServiceName = "spiderpool-controller"
	// DefaultWebhookConfigurationName is the name of both the Mutating and
	// the Validating webhook configuration the chart installs.
	DefaultWebhookConfigurationName = "spiderpool-controller"
	// DefaultCAValidity is the lifetime of a new CA.
	DefaultCAValidity = 10 * 365 * 24 * time.Hour
	// DefaultCertValidity is the lifetime of a new serving certificate.
	DefaultCertValidity = 365 * 24 * time.Hour
)

// ErrInvalidConfig is returned by [Config.Validate].
var ErrInvalidConfig = errors.New("invalid webhook certificate configuration")

// Config says where the controller keeps its certificate and what it
// covers.
type Config struct {
	// Namespace is the controller's namespace: the Secret's and the
	// Service's.
	Namespace string
	// SecretName is the Secret holding the CA and the serving certificate.
	SecretName string
	// ServiceName is the webhook Service; the certificate covers
	// <svc>, <svc>.<ns>, <svc>.<ns>.svc and <svc>.<ns>.svc.cluster.local.
	ServiceName string
	// ExtraDNSNames and ExtraIPs are added to the certificate (the chart's
	// tls.auto.extraDnsNames and extraIpAddresses), e.g. 127.0.0.1 when the
	// API server calls a webhook by address.
	ExtraDNSNames []string
	// ExtraIPs are extra IP SANs.
	ExtraIPs []netip.Addr
	// CAValidity and CertValidity are the lifetimes of new certificates.
	CAValidity, CertValidity time.Duration
	// CertFile and KeyFile are where the serving certificate and key are
	// written for the webhook server.
	CertFile, KeyFile string
	// MutatingWebhookConfiguration and ValidatingWebhookConfiguration name
	// the configurations whose caBundle is kept; empty skips one.
	MutatingWebhookConfiguration, ValidatingWebhookConfiguration string
}

// Validate reports missing fields and lifetimes too short to renew.
func (c Config) Validate() error {
	var errs []error
	for _, f := range []struct{ name, value string }{{"namespace", c.Namespace}, {"secret name", c.SecretName},
		{"service name", c.ServiceName}, {"certificate file", c.CertFile}, {"key file", c.KeyFile}} {
		if f.value == "" {
			errs = append(errs, fmt.Errorf("%w: empty %s", ErrInvalidConfig, f.name))
		}
	}
	if c.CAValidity < time.Hour || c.CertValidity < time.Hour {
		errs = append(errs, fmt.Errorf("%w: validity below one hour (CA %s, certificate %s)", ErrInvalidConfig, c.CAValidity, c.CertValidity))
	}
	if c.CertFile != "" && filepath.Dir(c.CertFile) != filepath.Dir(c.KeyFile) {
		errs = append(errs, fmt.Errorf("%w: %s and %s are not in one directory", ErrInvalidConfig, c.CertFile, c.KeyFile))
	}
	return errors.Join(errs...)
}

// DNSNames returns the DNS names the serving certificate must cover.
func (c Config) DNSNames() []string {
	svc := c.ServiceName
	names := []string{svc, svc + "." + c.Namespace, svc + "." + c.Namespace + ".svc",
		svc + "." + c.Namespace + ".svc.cluster.local"}
	return append(names, c.ExtraDNSNames...)
}

// hosts returns the SANs the serving certificate must cover.
func (c Config) hosts() hosts {
	return hosts{dns: c.DNSNames(), ips: c.ExtraIPs}
}
