// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package webhook_test

import (
	"io"
	"net/http"
	"testing"

	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
	"github.com/spiderpool-go/spiderpool/internal/webhook"
)

// TestSwitchesOff runs its own API server with deletion protection and
// SpiderSubnet off: a busy pool can be deleted, and subnets are not
// reviewed at all.
func TestSwitchesOff(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a second API server")
	}
	te, err := startEnv(webhook.Options{EnableIPv4: true, EnableIPv6: true})
	if err != nil {
		t.Fatalf("start envtest: %v", err)
	}
	t.Cleanup(func() {
		if err := te.stop(); err != nil {
			t.Errorf("stop envtest: %v", err)
		}
	})
	c := te.client
	pool := ipPool("pool-busy", "10.40.0.0/16", "10.40.0.10-10.40.0.20")
	create(t, c, pool)
	t.Cleanup(func() { release(t, c, pool) })
	allocate(t, c, pool, spiderpoolv2beta1.PoolIPAllocations{"10.40.0.12": spiderpoolv2beta1.NewPoolIPAllocation("default", "web", "u")})
	if err := c.Delete(t.Context(), pool); err != nil {
		t.Errorf("delete with protection off: %v", err)
	}

	unreviewed := spiderSubnet("subnet-unreviewed", "10.41.0.1/16")
	create(t, c, unreviewed)
	t.Cleanup(func() { release(t, c, unreviewed) })
	if unreviewed.Spec.IPVersion != nil || len(unreviewed.Finalizers) != 0 {
		t.Errorf("a subnet was mutated with SpiderSubnet off: %+v", unreviewed)
	}
	subnetPool := ipPool("pool-no-subnet-feature", "10.41.0.0/16", "10.41.0.5")
	create(t, c, subnetPool)
	t.Cleanup(func() { release(t, c, subnetPool) })
	if len(subnetPool.OwnerReferences) != 0 {
		t.Errorf("a pool was given a subnet with SpiderSubnet off: %v", subnetPool.OwnerReferences)
	}
}

// TestHealthCheckServed checks GET /webhook-health-check on the real
// webhook server, over TLS.
func TestHealthCheckServed(t *testing.T) {
	te := sharedEnv(t)
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: te.tls}}
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, "https://"+te.addr+webhook.HealthCheckPath, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", webhook.HealthCheckPath, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Errorf("GET %s = %d %q, %v", webhook.HealthCheckPath, resp.StatusCode, body, err)
	}
}
