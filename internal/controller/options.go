// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package controller

import (
	"net"
	"path/filepath"
	"strconv"

	"github.com/spiderpool-go/spiderpool/internal/certs"
	"github.com/spiderpool-go/spiderpool/internal/config"
)

// Options configure spiderpool-controller.
type Options struct {
	// Env is the controller's environment (docs/reference/interface.md §4.3).
	Env config.ControllerEnv
	// ConfigMap is conf.yml of the ConfigMap spiderpool-conf.
	ConfigMap config.ConfigMap
	// TLS says where the webhook server's certificate is (CertFile and
	// KeyFile, from --tls-server-cert and --tls-server-key) and, with
	// ManageCerts, how the controller makes it.
	TLS certs.Config
	// ManageCerts (--tls-method=auto) makes the controller create, renew
	// and publish its own certificate (internal/certs). Without it the
	// webhook server serves the files someone else provides and keeps
	// current (the chart's provided and certmanager methods).
	ManageCerts bool
	// SkipControllerNameValidation lets several managers run in one process,
	// as tests do; controller-runtime otherwise requires controller names to
	// be unique per process.
	SkipControllerNameValidation bool
}

// healthAddr is where the probes are served.
func (o Options) healthAddr() string {
	return net.JoinHostPort("", strconv.Itoa(o.Env.HealthPort))
}

// metricsAddr is where the metrics are served, "0" when they are off.
func (o Options) metricsAddr() string {
	if !o.Env.EnableMetric {
		return "0"
	}
	return net.JoinHostPort("", strconv.Itoa(o.Env.MetricHTTPPort))
}

// certDir is the webhook server's certificate directory: that of
// --tls-server-cert, as Spiderpool.
func (o Options) certDir() string {
	return filepath.Dir(o.TLS.CertFile)
}

// autoPools reports whether spiderpool-controller makes the pools of
// applications: enableSpiderSubnet and enableAutoPoolForApplication.
func (o Options) autoPools() bool {
	return o.ConfigMap.EnableSpiderSubnet && o.ConfigMap.EnableAutoPoolForApplication
}
