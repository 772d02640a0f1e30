// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package autopool_test

import (
	"net/netip"
	"testing"

	"k8s.io/apimachinery/pkg/types"

	"github.com/spiderpool-go/spiderpool/internal/allocator"
	"github.com/spiderpool-go/spiderpool/internal/autopool"
)

// FuzzParseApplication checks that a parsed application formats back to
// its input (with the core group's form).
func FuzzParseApplication(f *testing.F) {
	for _, s := range []string{"apps_v1_Deployment_ns_web", "v1_Pod_ns_p", "", "____", "a_b_c_d_e_f"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		app, err := autopool.ParseApplication(s)
		if err != nil {
			return
		}
		again, err := autopool.ParseApplication(app.Application())
		if err != nil || again != app {
			t.Fatalf("ParseApplication(%q) = %+v; re-parse of %q = %+v, %v", s, app, app.Application(), again, err)
		}
	})
}

// FuzzPoolName checks that names always fit 253 characters and end with
// the interface and UID parts.
func FuzzPoolName(f *testing.F) {
	f.Add("nginx", "eth0", "1b4e28ba-2fa1-11d2-883f-0016d3cca427")
	f.Fuzz(func(t *testing.T, app, ifName, uid string) {
		if len(ifName) > 15 {
			return
		}
		if got := autopool.PoolName(4, app, ifName, types.UID(uid)); len(got) > 253 {
			t.Fatalf("PoolName too long: %d", len(got))
		}
	})
}

// FuzzPreAllocate checks PreAllocate's promises on small random subnets:
// the result has the asked size, keeps every allocated IP of the pool,
// never takes another pool's or a reserved IP, and grows only from the
// subnet.
func FuzzPreAllocate(f *testing.F) {
	f.Add([]byte{0xff, 0xff, 0x0f, 0x00, 0x03, 0x00, 0x30, 0x00, 0x80, 0x00}, uint8(6))
	f.Fuzz(func(t *testing.T, bits []byte, size uint8) {
		if len(bits) < 10 {
			return
		}
		// Two bytes per set over 10.0.0.0-15: usable, pool, held, other pools', reserved.
		sets := make([]*allocator.Set, 5)
		for i := range sets {
			sets[i] = allocator.NewSet(allocator.IPv4)
			for j := range 16 {
				if bits[2*i+j/8]&(1<<(j%8)) != 0 {
					a := netip.AddrFrom4([4]byte{10, 0, 0, byte(j)})
					_ = sets[i].Add(allocator.Range{First: a, Last: a})
				}
			}
		}
		usable, others, reserved := sets[0], sets[3], sets[4]
		cur := sets[1].Subtract(others)
		allocated := sets[2].Subtract(others) // may lie outside cur: an interrupted shrink
		in := autopool.Inputs{Subnet: "s", Usable: usable, Others: others, Reserved: reserved, Current: cur, Allocated: allocated, Size: int(size % 20)}
		got, err := autopool.PreAllocate(in)
		if err != nil {
			return
		}
		if got.CountInt64() != int64(in.Size) {
			t.Fatalf("size %d, want %d", got.CountInt64(), in.Size)
		}
		if !allocated.Subtract(got).IsEmpty() {
			t.Fatalf("allocated %v dropped from %v", allocated, got)
		}
		added := got.Subtract(cur).Subtract(allocated)
		if got.Overlaps(others) || !added.Subtract(usable).IsEmpty() || added.Overlaps(reserved) {
			t.Fatalf("result %v takes IPs it must not (others %v, usable %v, reserved %v)", got, others, usable, reserved)
		}
	})
}
