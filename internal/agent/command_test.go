// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package agent

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/spiderpool-go/spiderpool/internal/config"
)

// TestLoadOptionsReleaseConflictIPs (review #15):
// SPIDERPOOL_ENABLED_RELEASE_CONFLICT_IPS reaches the agent, on by default
// as in Spiderpool.
func TestLoadOptionsReleaseConflictIPs(t *testing.T) {
	path := filepath.Join(t.TempDir(), "conf.yml")
	if err := os.WriteFile(path, []byte("enableIPv4: true\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for value, want := range map[string]bool{"": true, "true": true, "false": false} {
		env := map[string]string{
			config.EnvPodNamespace: "kube-system", config.EnvPodName: "spiderpool-agent-x", config.EnvNodeName: "n1",
		}
		if value != "" {
			env[config.EnvEnabledReleaseConflictIPs] = value
		}
		opts, _, err := loadOptions(path, func(k string) (string, bool) { v, ok := env[k]; return v, ok })
		if err != nil {
			t.Fatalf("%q: %v", value, err)
		}
		if opts.EnableReleaseConflictIPs != want {
			t.Errorf("%s=%q: EnableReleaseConflictIPs = %v, want %v", config.EnvEnabledReleaseConflictIPs, value, opts.EnableReleaseConflictIPs, want)
		}
	}
}

// TestLoadOptionsTuneSysctls: tuneSysctlConfig reaches the agent, off when
// absent.
func TestLoadOptionsTuneSysctls(t *testing.T) {
	env := map[string]string{config.EnvPodNamespace: "kube-system", config.EnvPodName: "spiderpool-agent-x", config.EnvNodeName: "n1"}
	for conf, want := range map[string]bool{"enableIPv4: true\n": false, "tuneSysctlConfig: true\n": true, "tuneSysctlConfig: false\n": false} {
		path := filepath.Join(t.TempDir(), "conf.yml")
		if err := os.WriteFile(path, []byte(conf), 0o600); err != nil {
			t.Fatal(err)
		}
		opts, _, err := loadOptions(path, func(k string) (string, bool) { v, ok := env[k]; return v, ok })
		if err != nil {
			t.Fatalf("%q: %v", conf, err)
		}
		if opts.TuneSysctls != want {
			t.Errorf("conf.yml %q: TuneSysctls = %v, want %v", conf, opts.TuneSysctls, want)
		}
	}
}
