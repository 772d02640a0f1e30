// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package claimq

import (
	"fmt"
	"math/rand/v2"
	"net/netip"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	ipamclaimsv1alpha1 "github.com/spiderpool-go/spiderpool/api/ipamclaims/v1alpha1"
	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
	"github.com/spiderpool-go/spiderpool/internal/claims"
	"github.com/spiderpool-go/spiderpool/internal/ipam/poolq"
)

// BenchmarkAllocationView measures the agent's own work to choose an
// address in a /16 pool holding n claims, its status projected from them:
// the pool read as the watch has it (decoded once per change), the pod's
// claims looked up, and the first free address drawn (claims.Picker). The
// claims fill the start of the pool: 1.5% and 30% of the draws land among
// them.
func BenchmarkAllocationView(b *testing.B) {
	for _, n := range []int{1000, 20000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			x, p := benchPool(n)
			reserved := poolq.NewReserved(nil, nil)
			q := New(Deps{Index: x})
			b.ReportAllocs()
			for b.Loop() {
				dec, err := q.decoded.decode(p, reserved)
				if err != nil {
					b.Fatal(err)
				}
				held, _ := x.pool("p")
				if _, ok := held.heldBy("new-pod", nil); ok {
					b.Fatal("a new pod holds an address")
				}
				now := time.Now()
				pk := claims.NewPicker(dec.Usable, rand.Uint64N, claims.Taken{Skip: held.skip, Is: func(a netip.Addr) bool {
					return dec.unclaimed[a] || dec.Quarantined[a] || q.reserved.holds("p", a, now)
				}})
				if _, err := pk.Next(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// benchPool returns an Index holding n claims of pool p and p with its
// status projected from them.
func benchPool(n int) (*Index, *spiderpoolv2beta1.SpiderIPPool) {
	x := NewIndex()
	x.SetSynced(func() bool { return true })
	recs := spiderpoolv2beta1.PoolIPAllocations{}
	a := netip.MustParseAddr("10.0.0.1")
	for i := range n {
		o := &ipamclaimsv1alpha1.SpiderIPClaim{ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprint(i)},
			Spec: ipamclaimsv1alpha1.IPClaimSpec{Pool: "p", IP: a.String(), PodNamespace: "ns", PodName: fmt.Sprint("p", i), PodUID: fmt.Sprint("uid-", i)}}
		x.OnAdd(o, true)
		recs[a.String()] = spiderpoolv2beta1.NewPoolIPAllocation("ns", o.Spec.PodName, o.Spec.PodUID)
		a = a.Next()
	}
	p := &spiderpoolv2beta1.SpiderIPPool{ObjectMeta: metav1.ObjectMeta{Name: "p", UID: "uid-p", ResourceVersion: "1"},
		Spec: spiderpoolv2beta1.IPPoolSpec{IPVersion: ptr.To(int64(4)), Subnet: "10.0.0.0/16", IPs: []string{"10.0.0.1-10.0.255.254"}}}
	p.Status.AllocatedIPs = spiderpoolv2beta1.FormatAllocatedIPs(recs)
	p.Annotations = map[string]string{ipamclaimsv1alpha1.AnnoProjectedDigest: claims.Digest(p.Status.AllocatedIPs)}
	return x, p
}
