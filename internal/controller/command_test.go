// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package controller

import (
	"errors"
	"net/netip"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/spf13/cobra"
	coordinationv1 "k8s.io/api/coordination/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	"github.com/spiderpool-go/spiderpool/internal/certs"
	"github.com/spiderpool-go/spiderpool/internal/config"
)

// parseFlags parses args with the daemon's flags.
func parseFlags(t *testing.T, args ...string) flags {
	t.Helper()
	cmd := &cobra.Command{Use: "daemon"}
	var f flags
	f.register(cmd)
	if err := cmd.ParseFlags(args); err != nil {
		t.Fatalf("parse %v: %v", args, err)
	}
	return f
}

func TestCommandHasDaemon(t *testing.T) {
	daemon, _, err := NewCommand().Find([]string{"daemon"})
	if err != nil || daemon.Name() != "daemon" {
		t.Fatalf("no daemon subcommand: %v", err)
	}
	for _, name := range []string{"config-path", "tls-server-cert", "tls-server-key"} {
		if daemon.Flags().Lookup(name) == nil {
			t.Errorf("daemon has no --%s (Spiderpool's chart passes it)", name)
		}
	}
}

func TestLoadOptions(t *testing.T) {
	confPath := filepath.Join(t.TempDir(), "conf.yml")
	if err := os.WriteFile(confPath, []byte("enableIPv4: true\nenableSpiderSubnet: true\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{config.EnvPodNamespace: "kube-system", config.EnvPodName: "spiderpool-controller-0"}
	lookup := func(k string) (string, bool) { v, ok := env[k]; return v, ok }
	tests := []struct {
		name    string
		args    []string
		want    func(*Options)
		wantErr error
	}{
		{name: "defaults: serve the files given", args: []string{"--config-path", confPath}, want: func(o *Options) { o.ManageCerts = false }},
		{name: "chart arguments and lab SANs", args: []string{"--config-path", confPath, "--tls-server-cert=/run/tls/tls.crt",
			"--tls-server-key=/run/tls/tls.key", "--tls-extra-ip-addresses=127.0.0.1,::1", "--tls-extra-dns-names=localhost",
			"--tls-cert-expiration-days=30", "--validating-webhook-configuration=", "--tls-method=auto"},
			want: func(o *Options) {
				o.TLS.CertFile, o.TLS.KeyFile = "/run/tls/tls.crt", "/run/tls/tls.key"
				o.TLS.ExtraIPs = []netip.Addr{netip.MustParseAddr("127.0.0.1"), netip.MustParseAddr("::1")}
				o.TLS.ExtraDNSNames = []string{"localhost"}
				o.TLS.CertValidity = 30 * 24 * time.Hour
				o.TLS.ValidatingWebhookConfiguration = ""
			}},
		{name: "provided", args: []string{"--config-path", confPath, "--tls-method=provided"}, want: func(o *Options) { o.ManageCerts = false }},
		{name: "bad method", args: []string{"--config-path", confPath, "--tls-method=certmanager"}, wantErr: ErrInvalidFlag},
		{name: "bad IP", args: []string{"--config-path", confPath, "--tls-extra-ip-addresses=10.0.0.300"}, wantErr: ErrInvalidFlag},
		{name: "validity too short", args: []string{"--config-path", confPath, "--tls-cert-expiration-days=0", "--tls-method=auto"}, wantErr: certs.ErrInvalidConfig},
		{name: "key elsewhere", args: []string{"--config-path", confPath, "--tls-server-key=/other/tls.key", "--tls-method=auto"}, wantErr: certs.ErrInvalidConfig},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := loadOptions(parseFlags(t, tt.args...), lookup)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("loadOptions() error = %v, want %v", err, tt.wantErr)
			}
			if tt.wantErr != nil {
				return
			}
			wantEnv, err := config.ParseControllerEnv(lookup)
			if err != nil {
				t.Fatal(err)
			}
			want := Options{Env: wantEnv, ConfigMap: got.ConfigMap, ManageCerts: true, TLS: certs.Config{
				Namespace: "kube-system", SecretName: certs.DefaultSecretName, ServiceName: certs.DefaultServiceName,
				CAValidity: certs.DefaultCAValidity, CertValidity: certs.DefaultCertValidity,
				CertFile: "/etc/tls/tls.crt", KeyFile: "/etc/tls/tls.key",
				MutatingWebhookConfiguration: certs.DefaultWebhookConfigurationName, ValidatingWebhookConfiguration: certs.DefaultWebhookConfigurationName,
			}}
			tt.want(&want)
			if diff := cmp.Diff(want, got, cmp.Comparer(func(a, b netip.Addr) bool { return a == b })); diff != "" {
				t.Errorf("loadOptions() mismatch (-want +got):\n%s", diff)
			}
			if !got.ConfigMap.EnableSpiderSubnet {
				t.Error("conf.yml was not read")
			}
		})
	}
}

func TestLoadOptionsNeedsConfAndEnv(t *testing.T) {
	f := parseFlags(t, "--config-path", filepath.Join(t.TempDir(), "missing.yml"))
	if _, err := loadOptions(f, func(string) (string, bool) { return "", false }); err == nil {
		t.Error("loadOptions() accepted a missing conf.yml")
	}
	confPath := filepath.Join(t.TempDir(), "conf.yml")
	if err := os.WriteFile(confPath, []byte("{}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	f = parseFlags(t, "--config-path", confPath)
	if _, err := loadOptions(f, func(string) (string, bool) { return "", false }); err == nil {
		t.Error("loadOptions() accepted an environment without SPIDERPOOL_POD_NAMESPACE")
	}
}

func TestLeaseHeld(t *testing.T) {
	now := time.Now()
	lease := func(holder *string, renewed time.Duration, seconds *int32) *coordinationv1.Lease {
		renew := metav1.NewMicroTime(now.Add(-renewed))
		return &coordinationv1.Lease{ObjectMeta: metav1.ObjectMeta{Name: LeaseName},
			Spec: coordinationv1.LeaseSpec{HolderIdentity: holder, RenewTime: &renew, LeaseDurationSeconds: seconds}}
	}
	tests := []struct {
		name  string
		lease *coordinationv1.Lease
		held  bool
	}{
		{"held", lease(ptr.To("a"), 2*time.Second, ptr.To[int32](15)), true},
		{"released", lease(ptr.To(""), 0, ptr.To[int32](1)), false},
		{"no holder", lease(nil, 0, ptr.To[int32](15)), false},
		{"expired", lease(ptr.To("a"), 16*time.Second, ptr.To[int32](15)), false},
		{"no term", lease(ptr.To("a"), 0, nil), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := leaseHeld(tt.lease, now)
			if (err == nil) != tt.held {
				t.Errorf("leaseHeld() = %v, want held %v", err, tt.held)
			}
			if err != nil && !errors.Is(err, ErrNoLeader) {
				t.Errorf("leaseHeld() = %v, want ErrNoLeader", err)
			}
		})
	}
}
