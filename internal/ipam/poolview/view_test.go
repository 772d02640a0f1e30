// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package poolview

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/rest"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"

	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
	"github.com/spiderpool-go/spiderpool/internal/ipam/ipamtest"
	"github.com/spiderpool-go/spiderpool/test/utils"
)

// envCfg is the package's envtest API server (real kube-apiserver and
// etcd), started once in TestMain.
var envCfg *rest.Config //nolint:gochecknoglobals // shared by the package's tests

func TestMain(m *testing.M) {
	os.Exit(utils.RunWithEnvtest(m, ipamtest.Scheme(), func(cfg *rest.Config) error {
		envCfg = cfg
		return nil
	}))
}

// startPoolMetaCache starts a cache that watches pools' metadata only, as
// the agent's does.
func startPoolMetaCache(t *testing.T) cache.Cache {
	t.Helper()
	c, err := cache.New(envCfg, cache.Options{Scheme: ipamtest.Scheme(), ReaderFailOnMissingInformer: true,
		ByObject: map[client.Object]cache.ByObject{NewMeta(): {}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.GetInformer(t.Context(), NewMeta()); err != nil {
		t.Fatal(err)
	}
	go func() { _ = c.Start(t.Context()) }()
	if !c.WaitForCacheSync(t.Context()) {
		t.Fatal("pool metadata cache did not sync")
	}
	return c
}

// waitMeta waits until the cache holds pool name at resourceVersion rv
// or, with rv empty, no longer holds it.
func waitMeta(t *testing.T, c client.Reader, name, rv string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		m := NewMeta()
		err := c.Get(t.Context(), client.ObjectKey{Name: name}, m)
		if (rv == "" && apierrors.IsNotFound(err)) || (err == nil && m.ResourceVersion == rv) {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("the cache did not reach pool %s at version %q", name, rv)
}

// viewOfNewPool creates pool name of subnet (addresses .10-.20) and
// returns a View on a metadata cache that has seen it, with its clients.
func viewOfNewPool(t *testing.T, name, subnet string) (client.Client, cache.Cache, *View, *spiderpoolv2beta1.SpiderIPPool) {
	t.Helper()
	api, err := client.New(envCfg, client.Options{Scheme: ipamtest.Scheme()})
	if err != nil {
		t.Fatal(err)
	}
	meta := startPoolMetaCache(t)
	prefix := strings.TrimSuffix(subnet, "0/24")
	pool := &spiderpoolv2beta1.SpiderIPPool{ObjectMeta: metav1.ObjectMeta{Name: name}, Spec: spiderpoolv2beta1.IPPoolSpec{
		IPVersion: ptr.To(spiderpoolv2beta1.IPv4), Subnet: subnet, IPs: []string{prefix + "10-" + prefix + "20"},
	}}
	if err := api.Create(t.Context(), pool); err != nil {
		t.Fatal(err)
	}
	waitMeta(t, meta, name, pool.ResourceVersion)
	return api, meta, New(meta, api), pool
}

func TestPoolViewReadsWholePoolsOnlyWhenNeeded(t *testing.T) {
	ctx := t.Context()
	api, meta, v, pool := viewOfNewPool(t, "view", "10.99.0.0/24")
	specs := mustSpecs(ctx, t, v, 1)
	if specs[0].Spec.Subnet != "10.99.0.0/24" || v.reads.Load() != 1 {
		t.Fatalf("first Specs: subnet %q after %d reads; want 10.99.0.0/24 after 1", specs[0].Spec.Subnet, v.reads.Load())
	}

	// A status write (an allocation elsewhere) costs Specs nothing; Latest
	// reads the pool once.
	pool.Status.AllocatedIPs = spiderpoolv2beta1.FormatAllocatedIPs(spiderpoolv2beta1.PoolIPAllocations{
		"10.99.0.10": spiderpoolv2beta1.NewPoolIPAllocation("ns", "p", "uid-1")})
	if err := api.Status().Update(ctx, pool); err != nil {
		t.Fatal(err)
	}
	waitMeta(t, meta, "view", pool.ResourceVersion)
	mustSpecs(ctx, t, v, 1)
	if v.reads.Load() != 1 {
		t.Errorf("Specs after a status write read the pool: %d reads, want 1", v.reads.Load())
	}
	for range 2 {
		latest, err := v.Latest(ctx, "view")
		if err != nil {
			t.Fatal(err)
		}
		if latest.ResourceVersion != pool.ResourceVersion || latest.Status.AllocatedIPs == nil {
			t.Errorf("Latest: version %s, want %s with the record", latest.ResourceVersion, pool.ResourceVersion)
		}
	}
	if v.reads.Load() != 2 {
		t.Errorf("two Latest after one status write: %d reads in all, want 2", v.reads.Load())
	}

	// Labels come from the watch; a spec change is read again.
	pool.Labels = map[string]string{"team": "a"}
	if err := api.Update(ctx, pool); err != nil {
		t.Fatal(err)
	}
	waitMeta(t, meta, "view", pool.ResourceVersion)
	if got := mustSpecs(ctx, t, v, 1)[0]; got.Labels["team"] != "a" || v.reads.Load() != 2 {
		t.Errorf("after a label change: labels %v after %d reads, want team=a after 2", got.Labels, v.reads.Load())
	}
	pool.Spec.IPs = []string{"10.99.0.10-10.99.0.30"}
	if err := api.Update(ctx, pool); err != nil {
		t.Fatal(err)
	}
	waitMeta(t, meta, "view", pool.ResourceVersion)
	if got := mustSpecs(ctx, t, v, 1)[0]; got.Spec.IPs[0] != "10.99.0.10-10.99.0.30" || v.reads.Load() != 3 {
		t.Errorf("after a spec change: ips %v after %d reads, want the new range after 3", got.Spec.IPs, v.reads.Load())
	}

	if err := api.Delete(ctx, pool); err != nil {
		t.Fatal(err)
	}
	waitMeta(t, meta, "view", "")
	mustSpecs(ctx, t, v, 0)
	if _, err := v.Latest(ctx, "view"); !apierrors.IsNotFound(err) {
		t.Errorf("Latest of a deleted pool: %v, want not found", err)
	}
}

func mustSpecs(ctx context.Context, t *testing.T, v *View, want int) []*spiderpoolv2beta1.SpiderIPPool {
	t.Helper()
	specs, err := v.Specs(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(specs) != want {
		t.Fatalf("Specs: %d pools, want %d", len(specs), want)
	}
	return specs
}

func TestPoolViewFirstSpecsReadsAllInOneList(t *testing.T) {
	ctx := t.Context()
	api, err := client.New(envCfg, client.Options{Scheme: ipamtest.Scheme()})
	if err != nil {
		t.Fatal(err)
	}
	meta := startPoolMetaCache(t)
	var names []string
	for i := range 3 {
		p := &spiderpoolv2beta1.SpiderIPPool{ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("many-%d", i)},
			Spec: spiderpoolv2beta1.IPPoolSpec{IPVersion: ptr.To(spiderpoolv2beta1.IPv4), Subnet: fmt.Sprintf("10.98.%d.0/24", i)}}
		if err := api.Create(ctx, p); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = api.Delete(context.Background(), p) })
		waitMeta(t, meta, p.Name, p.ResourceVersion)
		names = append(names, p.Name)
	}
	v := New(meta, api)
	specs, err := v.Specs(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, p := range specs {
		got[p.Name] = p.Spec.Subnet
	}
	for i, name := range names {
		if want := fmt.Sprintf("10.98.%d.0/24", i); got[name] != want {
			t.Errorf("pool %s: subnet %q, want %q", name, got[name], want)
		}
	}
	if v.reads.Load() != 1 {
		t.Errorf("a view that held nothing read %d times for %d pools, want one list", v.reads.Load(), len(names))
	}
}

// TestCurrentReadsTheStatusOnlyWhenKeepRefuses: a status write costs
// Current no read while keep accepts the watch's metadata, and one when it
// refuses; a spec change is always read; the copy carries the watch's
// version and managedFields.
func TestCurrentReadsTheStatusOnlyWhenKeepRefuses(t *testing.T) {
	ctx := t.Context()
	api, meta, v, pool := viewOfNewPool(t, "current", "10.98.0.0/24")
	keep := true
	current := func(wantReads uint64, why string) *spiderpoolv2beta1.SpiderIPPool {
		t.Helper()
		p, err := v.Current(ctx, "current", func(*metav1.PartialObjectMetadata) bool { return keep })
		if err != nil {
			t.Fatal(err)
		}
		if v.Reads() != wantReads || p.ResourceVersion != pool.ResourceVersion {
			t.Errorf("%s: %d reads, version %s; want %d reads, version %s", why, v.Reads(), p.ResourceVersion, wantReads, pool.ResourceVersion)
		}
		return p
	}
	current(1, "first sight")
	pool.Status.AllocatedIPs = spiderpoolv2beta1.FormatAllocatedIPs(spiderpoolv2beta1.PoolIPAllocations{
		"10.98.0.10": spiderpoolv2beta1.NewPoolIPAllocation("ns", "p", "uid-1")})
	if err := api.Status().Update(ctx, pool); err != nil {
		t.Fatal(err)
	}
	waitMeta(t, meta, "current", pool.ResourceVersion)
	if p := current(1, "status write, kept"); p.Status.AllocatedIPs != nil || len(p.ManagedFields) == 0 {
		t.Errorf("kept copy: status %v, %d managedFields; want the old, empty status and the watch's managedFields",
			p.Status.AllocatedIPs, len(p.ManagedFields))
	}
	keep = false
	if p := current(2, "status write, refused"); p.Status.AllocatedIPs == nil {
		t.Error("the status read again lacks the record")
	}
	keep = true
	pool.Spec.IPs = []string{"10.98.0.10-10.98.0.30"}
	if err := api.Update(ctx, pool); err != nil {
		t.Fatal(err)
	}
	waitMeta(t, meta, "current", pool.ResourceVersion)
	if p := current(3, "spec change"); p.Spec.IPs[0] != "10.98.0.10-10.98.0.30" {
		t.Errorf("after a spec change: ips %v", p.Spec.IPs)
	}
}
