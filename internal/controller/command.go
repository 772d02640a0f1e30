// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package controller

import (
	"errors"
	"fmt"
	"net/netip"
	"os"
	"time"

	"github.com/spf13/cobra"
	ctrl "sigs.k8s.io/controller-runtime"

	"github.com/spiderpool-go/spiderpool/internal/certs"
	"github.com/spiderpool-go/spiderpool/internal/config"
	"github.com/spiderpool-go/spiderpool/internal/debugserver"
	"github.com/spiderpool-go/spiderpool/internal/logging"
)

// Values of --tls-method (the chart's spiderpoolController.tls.method).
const (
	// TLSMethodAuto makes the controller create and renew its certificate.
	TLSMethodAuto = "auto"
	// TLSMethodProvided serves certificate files provided by someone else
	// (the chart's provided and certmanager methods).
	TLSMethodProvided = "provided"
)

// ErrInvalidFlag is returned for a flag value the controller cannot use.
var ErrInvalidFlag = errors.New("invalid flag")

// flags are the daemon subcommand's flags.
type flags struct {
	configPath, tlsMethod string
	tls                   certs.Config
	extraIPs              []string
	caDays, certDays      int
}

// NewCommand returns the spiderpool-controller command: "spiderpool-controller
// daemon --config-path conf.yml --tls-server-cert tls.crt --tls-server-key
// tls.key", configured like Spiderpool's controller by the spiderpool-conf
// ConfigMap file and SPIDERPOOL_* environment variables.
func NewCommand() *cobra.Command {
	root := &cobra.Command{Use: "spiderpool-controller", SilenceUsage: true,
		Short: "Spiderpool controller: admission webhooks, leader-elected IPAM controllers"}
	var f flags
	daemon := &cobra.Command{
		Use:   "daemon",
		Short: "Run the controller",
		RunE: func(cmd *cobra.Command, _ []string) error {
			opts, err := loadOptions(f, os.LookupEnv)
			if err != nil {
				return err
			}
			ctx := logging.Setup(cmd.Context(), opts.Env.LogLevel)
			restConfig, err := ctrl.GetConfig()
			if err != nil {
				return fmt.Errorf("kubeconfig: %w", err)
			}
			debugserver.StartGops(ctx, opts.Env.GopsListenPort)
			return Run(ctx, opts, restConfig)
		},
	}
	f.register(daemon)
	root.AddCommand(daemon, newCleanCommand())
	return root
}

// register declares the flags on cmd: Spiderpool's three, then those of
// the certificate the controller makes (the chart's tls.* values).
func (f *flags) register(cmd *cobra.Command) {
	fs := cmd.Flags()
	fs.StringVar(&f.configPath, "config-path", config.DefaultConfigMapPath, "path of conf.yml from the spiderpool-conf ConfigMap")
	fs.StringVar(&f.tls.CertFile, "tls-server-cert", "/etc/tls/tls.crt", "webhook serving certificate; its directory is the webhook server's certificate directory")
	fs.StringVar(&f.tls.KeyFile, "tls-server-key", "/etc/tls/tls.key", "webhook serving key, in the directory of --tls-server-cert")
	fs.StringVar(&f.tlsMethod, "tls-method", TLSMethodProvided, "provided: serve the files as given, as Spiderpool does; auto: create, renew and publish the certificate")
	fs.StringVar(&f.tls.SecretName, "tls-secret-name", certs.DefaultSecretName, "Secret, in SPIDERPOOL_POD_NAMESPACE, holding the CA and certificate (auto)")
	fs.StringVar(&f.tls.ServiceName, "tls-service-name", certs.DefaultServiceName, "webhook Service the certificate is for (auto)")
	fs.StringSliceVar(&f.tls.ExtraDNSNames, "tls-extra-dns-names", nil, "extra DNS names in the certificate (auto)")
	fs.StringSliceVar(&f.extraIPs, "tls-extra-ip-addresses", nil, "extra IP addresses in the certificate (auto)")
	fs.IntVar(&f.caDays, "tls-ca-expiration-days", int(certs.DefaultCAValidity/(24*time.Hour)), "lifetime of a new CA, in days (auto)")
	fs.IntVar(&f.certDays, "tls-cert-expiration-days", int(certs.DefaultCertValidity/(24*time.Hour)), "lifetime of a new certificate, in days (auto)")
	fs.StringVar(&f.tls.MutatingWebhookConfiguration, "mutating-webhook-configuration", certs.DefaultWebhookConfigurationName, "MutatingWebhookConfiguration whose caBundle is kept, empty for none (auto)")
	fs.StringVar(&f.tls.ValidatingWebhookConfiguration, "validating-webhook-configuration", certs.DefaultWebhookConfigurationName, "ValidatingWebhookConfiguration whose caBundle is kept, empty for none (auto)")
}

// loadOptions reads conf.yml, the environment through lookup, and the flags.
func loadOptions(f flags, lookup config.LookupFunc) (Options, error) {
	cm, err := config.LoadConfigMap(f.configPath)
	if err != nil {
		return Options{}, err
	}
	env, err := config.ParseControllerEnv(lookup)
	if err != nil {
		return Options{}, err
	}
	opts := Options{Env: env, ConfigMap: cm, TLS: f.tls}
	opts.TLS.Namespace = env.PodNamespace
	opts.TLS.CAValidity = time.Duration(f.caDays) * 24 * time.Hour
	opts.TLS.CertValidity = time.Duration(f.certDays) * 24 * time.Hour
	for _, s := range f.extraIPs {
		ip, err := netip.ParseAddr(s)
		if err != nil {
			return Options{}, fmt.Errorf("%w --tls-extra-ip-addresses %q: %w", ErrInvalidFlag, s, err)
		}
		opts.TLS.ExtraIPs = append(opts.TLS.ExtraIPs, ip)
	}
	switch f.tlsMethod {
	case TLSMethodAuto:
		opts.ManageCerts = true
		return opts, opts.TLS.Validate()
	case TLSMethodProvided:
		return opts, nil
	default:
		return Options{}, fmt.Errorf("%w --tls-method %q: expected %s or %s", ErrInvalidFlag, f.tlsMethod, TLSMethodAuto, TLSMethodProvided)
	}
}
