// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package gc

import (
	"context"
	"net/netip"
	"sync"
	"sync/atomic"
	"testing"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"

	ipamclaimsv1alpha1 "github.com/spiderpool-go/spiderpool/api/ipamclaims/v1alpha1"
	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
	"github.com/spiderpool-go/spiderpool/internal/claims"
	"github.com/spiderpool-go/spiderpool/internal/ipam/ipamtest"
	"github.com/spiderpool-go/spiderpool/internal/store"
)

// testScheme is the scheme of the package's clients and managers: the
// core, spiderpool.spidernet.io and ipam.spiderpool-go.io types.
func testScheme() *runtime.Scheme {
	s := ipamtest.Scheme()
	if err := ipamclaimsv1alpha1.AddToScheme(s); err != nil {
		panic(err) // static registration; cannot fail
	}
	return s
}

// countingStore counts the pool status writes of the collector's store.
type countingStore struct {
	store.Store
	poolWrites atomic.Int32
}

func (s *countingStore) UpdatePoolStatus(ctx context.Context, pool *spiderpoolv2beta1.SpiderIPPool) error {
	s.poolWrites.Add(1)
	return s.Store.UpdatePoolStatus(ctx, pool)
}

// newClaimEnv is newEnv with the claim storage on, whose collector must
// write no pool status by the end of the test.
func newClaimEnv(t *testing.T, mutate func(*Options)) *env {
	t.Helper()
	e := newEnv(t, func(o *Options) {
		o.ClaimStorage = true
		if mutate != nil {
			mutate(o)
		}
	})
	counted := &countingStore{Store: e.gc.store}
	e.gc.store = counted
	t.Cleanup(func() {
		if n := counted.poolWrites.Load(); n != 0 {
			t.Errorf("the GC wrote pool status %d times with the claim storage on, want 0", n)
		}
	})
	return e
}

// claim creates the SpiderIPClaim of ip in pool for the holder name/uid of
// the environment's namespace; it is deleted when the test ends.
func (e *env) claim(pool, ip, name, uid string) {
	e.t.Helper()
	a := netip.MustParseAddr(ip)
	n, err := claims.Name(pool, a)
	if err != nil {
		e.t.Fatal(err)
	}
	e.create(&ipamclaimsv1alpha1.SpiderIPClaim{
		ObjectMeta: metav1.ObjectMeta{Name: n, Labels: map[string]string{ipamclaimsv1alpha1.LabelPool: claims.PoolLabelValue(pool)}},
		Spec: ipamclaimsv1alpha1.IPClaimSpec{Pool: pool, IP: a.String(), PodNamespace: e.ns, PodName: name, PodUID: uid,
			Node: "node"},
	})
	e.t.Cleanup(func() {
		_ = e.c.Delete(context.WithoutCancel(e.t.Context()), &ipamclaimsv1alpha1.SpiderIPClaim{ObjectMeta: metav1.ObjectMeta{Name: n}})
	})
}

// claimHolder returns the pod UID of the claim of ip in pool, "" if there
// is none.
func (e *env) claimHolder(pool, ip string) string {
	e.t.Helper()
	n, err := claims.Name(pool, netip.MustParseAddr(ip))
	if err != nil {
		e.t.Fatal(err)
	}
	cl := &ipamclaimsv1alpha1.SpiderIPClaim{}
	switch err := e.c.Get(e.ctx(), client.ObjectKey{Name: n}, cl); {
	case apierrors.IsNotFound(err):
		return ""
	case err != nil:
		e.t.Fatal(err)
	}
	return cl.Spec.PodUID
}

// wantClaims checks the holder UID of each address of pool ("" for none).
func (e *env) wantClaims(pool string, want map[string]string) {
	e.t.Helper()
	for ip, uid := range want {
		if got := e.claimHolder(pool, ip); got != uid {
			e.t.Errorf("claim of %s in %s: held by %q, want %q", ip, pool, got, uid)
		}
	}
}

// raceReader runs race once, right after the first read of a SpiderIPClaim
// it serves: between the GC's read of a claim and its delete.
type raceReader struct {
	client.Reader
	once sync.Once
	race func()
}

func (r *raceReader) Get(ctx context.Context, key client.ObjectKey, obj client.Object, opts ...client.GetOption) error {
	err := r.Reader.Get(ctx, key, obj, opts...)
	if _, ok := obj.(*ipamclaimsv1alpha1.SpiderIPClaim); ok && err == nil {
		r.once.Do(r.race)
	}
	return err
}

// adoptClaim gives the claim name to the pod UID uid, as an agent adopting
// it for a re-created pod of the same name does.
func (e *env) adoptClaim(name, uid string) {
	e.t.Helper()
	cl := &ipamclaimsv1alpha1.SpiderIPClaim{}
	if err := e.c.Get(e.ctx(), client.ObjectKey{Name: name}, cl); err != nil {
		e.t.Fatal(err)
	}
	cl.Spec.PodUID = uid
	if err := e.c.Update(e.ctx(), cl); err != nil {
		e.t.Fatal(err)
	}
}
