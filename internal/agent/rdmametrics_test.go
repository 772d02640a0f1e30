// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package agent

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/spiderpool-go/spiderpool/internal/config"
	"github.com/spiderpool-go/spiderpool/internal/ipam"
)

// TestLoadOptionsRDMAMetric: SPIDERPOOL_ENABLED_RDMA_METRIC reaches the
// agent, off by default.
func TestLoadOptionsRDMAMetric(t *testing.T) {
	path := filepath.Join(t.TempDir(), "conf.yml")
	if err := os.WriteFile(path, []byte("enableIPv4: true\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for value, want := range map[string]bool{"": false, "true": true, "false": false} {
		env := map[string]string{config.EnvPodNamespace: "kube-system", config.EnvPodName: "spiderpool-agent-x", config.EnvNodeName: "n1"}
		if value != "" {
			env[config.EnvEnabledRDMAMetric] = value
		}
		opts, _, err := loadOptions(path, func(k string) (string, bool) { v, ok := env[k]; return v, ok })
		if err != nil || opts.EnableRDMAMetric != want {
			t.Errorf("%s=%q: EnableRDMAMetric = %v (%v), want %v", config.EnvEnabledRDMAMetric, value, opts.EnableRDMAMetric, err, want)
		}
	}
}

// TestRDMAMetricsOff: disabled, nothing wraps the IPAM and nothing is
// registered.
func TestRDMAMetricsOff(t *testing.T) {
	svc := &fakeIPAM{}
	r, served := newRDMAMetrics(false, "n1", svc)
	if r != nil || served != IPAM(svc) {
		t.Fatalf("disabled: %v, %T", r, served)
	}
	reg := prometheus.NewRegistry()
	if err := r.register(context.Background(), reg); err != nil {
		t.Fatal(err)
	}
	if mfs, _ := reg.Gather(); len(mfs) != 0 {
		t.Errorf("disabled but %d families registered", len(mfs))
	}
}

// TestRDMAMetricsPodNetns: enabled, a successful CNI ADD records the pod's
// netns path, a failed one does not, a DEL forgets the pod; the collector
// registers and a scrape on a node without RDMA is empty.
func TestRDMAMetricsPodNetns(t *testing.T) {
	svc := &fakeIPAM{result: &ipam.Result{}}
	r, served := newRDMAMetrics(true, "n1", svc)
	ctx := context.Background()
	add := ipam.AllocateRequest{NetNS: "/var/run/netns/cni-1", PodNamespace: "ai", PodName: "a", IfName: "net1"}
	if _, err := served.Allocate(ctx, add); err != nil {
		t.Fatal(err)
	}
	svc.err = errors.New("pool exhausted")
	add.NetNS, add.PodName = "/var/run/netns/cni-2", "b"
	_, _ = served.Allocate(ctx, add)
	if got := r.pods.Paths(); len(got) != 1 || got[0] != "/var/run/netns/cni-1" {
		t.Errorf("book after ADDs = %v, want cni-1 only", got)
	}
	if err := served.Release(ctx, ipam.ReleaseRequest{PodNamespace: "ai", PodName: "a"}); err != nil {
		t.Fatal(err)
	}
	if got := r.pods.Paths(); len(got) != 0 || len(svc.released) != 1 {
		t.Errorf("after DEL: book %v, %d releases passed on", got, len(svc.released))
	}
	reg := prometheus.NewRegistry()
	if err := r.register(ctx, reg); err != nil {
		t.Fatal(err)
	}
	if _, err := reg.Gather(); err != nil {
		t.Errorf("scrape: %v", err)
	}
}
