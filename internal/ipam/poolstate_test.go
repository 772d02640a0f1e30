// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package ipam

import (
	"errors"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
)

func v4Pool(subnet string, ips ...string) *spiderpoolv2beta1.SpiderIPPool {
	return &spiderpoolv2beta1.SpiderIPPool{
		ObjectMeta: metav1.ObjectMeta{Name: "p", UID: "uid-pool"},
		Spec:       spiderpoolv2beta1.IPPoolSpec{IPVersion: ptr.To(spiderpoolv2beta1.IPv4), Subnet: subnet, IPs: ips},
	}
}

// TestUsableCacheKeyedBySpec: another spec under the same name, UID and
// generation is not served the cached usable set.
func TestUsableCacheKeyedBySpec(t *testing.T) {
	cache := &usableCache{}
	if _, err := newPoolState(v4Pool("10.1.0.0/24", "10.1.0.10-10.1.0.20"), reservedIPs{}, cache); err != nil {
		t.Fatal(err)
	}
	st, err := newPoolState(v4Pool("10.2.0.0/24", "10.2.0.10-10.2.0.20"), reservedIPs{}, cache)
	if err != nil {
		t.Fatal(err)
	}
	op := &poolOp{kind: opAllocate, podKey: "ns/x", uid: "uid-x"}
	if st.apply(op, 100); op.res.err != nil || op.res.ip.String() != "10.2.0.10" {
		t.Errorf("allocated %v, %v; want 10.2.0.10", op.res.ip, op.res.err)
	}
}

// TestAllocationOutsideSpecRefused: should a usable set of another object
// ever be used, the address it offers is refused and the state is marked so
// that the queue drops the cached set.
func TestAllocationOutsideSpecRefused(t *testing.T) {
	cache := &usableCache{}
	if _, err := newPoolState(v4Pool("10.1.0.0/24", "10.1.0.10-10.1.0.20"), reservedIPs{}, cache); err != nil {
		t.Fatal(err)
	}
	other := v4Pool("10.2.0.0/24", "10.2.0.10-10.2.0.20")
	cache.key.spec = specHash(&other.Spec) // a stale set under the new key
	st, err := newPoolState(other, reservedIPs{}, cache)
	if err != nil {
		t.Fatal(err)
	}
	op := &poolOp{kind: opAllocate, podKey: "ns/x", uid: "uid-x"}
	if st.apply(op, 100) || !errors.Is(op.res.err, ErrBadRecord) || !st.outOfSpec {
		t.Errorf("allocated %v, %v, outOfSpec %v; want ErrBadRecord and outOfSpec", op.res.ip, op.res.err, st.outOfSpec)
	}
}
