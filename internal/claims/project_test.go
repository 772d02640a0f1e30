// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package claims_test

import (
	"net/netip"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	ipamclaimsv1alpha1 "github.com/spiderpool-go/spiderpool/api/ipamclaims/v1alpha1"
	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
	"github.com/spiderpool-go/spiderpool/internal/claims"
)

func claim(ip, pod, uid string) claims.Claim {
	return claims.Claim{Name: "p." + ip, IP: netip.MustParseAddr(ip), Namespace: "ns", Pod: pod, UID: uid}
}

func rec(pod, uid string) spiderpoolv2beta1.PoolIPAllocation {
	return spiderpoolv2beta1.NewPoolIPAllocation("ns", pod, uid)
}

type recs = spiderpoolv2beta1.PoolIPAllocations

func TestProject(t *testing.T) {
	tests := []struct {
		name    string
		claims  []claims.Claim
		records recs
		foreign bool
		want    claims.Projection
	}{{
		name:   "claims become records",
		claims: []claims.Claim{claim("10.0.0.1", "a", "ua"), claim("fd00::1", "b", "ub")},
		want:   claims.Projection{Records: recs{"10.0.0.1": rec("a", "ua"), "fd00::1": rec("b", "ub")}},
	}, {
		name:    "a released claim disappears from the projector's own status",
		claims:  []claims.Claim{claim("10.0.0.1", "a", "ua")},
		records: recs{"10.0.0.1": rec("a", "ua"), "10.0.0.2": rec("b", "ub")},
		want:    claims.Projection{Records: recs{"10.0.0.1": rec("a", "ua")}, Released: addrs("10.0.0.2")},
	}, {
		name:    "a record someone else wrote is kept and adopted, never dropped",
		claims:  []claims.Claim{claim("10.0.0.1", "a", "ua")},
		records: recs{"10.0.0.2": rec("b", "ub")},
		foreign: true,
		want: claims.Projection{
			Records: recs{"10.0.0.1": rec("a", "ua"), "10.0.0.2": rec("b", "ub")},
			Adopt:   []claims.Claim{{IP: netip.MustParseAddr("10.0.0.2"), Namespace: "ns", Pod: "b", UID: "ub"}},
		},
	}, {
		name:    "the claim wins over a record of another pod",
		claims:  []claims.Claim{claim("10.0.0.1", "a", "ua")},
		records: recs{"10.0.0.1": rec("old", "uold")},
		foreign: true,
		want: claims.Projection{
			Records:   recs{"10.0.0.1": rec("a", "ua")},
			Conflicts: []claims.Conflict{{IP: netip.MustParseAddr("10.0.0.1"), Claim: claim("10.0.0.1", "a", "ua"), Record: rec("old", "uold")}},
		},
	}, {
		name:    "a record of the claim's pod is the claim's",
		claims:  []claims.Claim{claim("fd00::1", "a", "ua")},
		records: recs{"FD00:0::1": rec("a", "ua")},
		foreign: true,
		want:    claims.Projection{Records: recs{"fd00::1": rec("a", "ua")}},
	}, {
		name:    "an unreadable key is kept as it is",
		records: recs{"not-an-ip": rec("x", "ux")},
		want:    claims.Projection{Records: recs{"not-an-ip": rec("x", "ux")}, Unreadable: []string{"not-an-ip"}},
	}, {
		name: "nothing",
		want: claims.Projection{Records: recs{}},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := claims.Project(tt.claims, tt.records, tt.foreign)
			if diff := cmp.Diff(tt.want, got, cmpopts.EquateComparable(netip.Addr{}), cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("Project (-want +got):\n%s", diff)
			}
			if got.Count() != int64(len(got.Records)) {
				t.Errorf("Count() = %d with %d records", got.Count(), len(got.Records))
			}
		})
	}
}

func TestForeign(t *testing.T) {
	own := spiderpoolv2beta1.FormatAllocatedIPs(recs{"10.0.0.1": rec("a", "ua")})
	other := spiderpoolv2beta1.FormatAllocatedIPs(recs{"10.0.0.1": rec("a", "ua"), "10.0.0.2": rec("b", "ub")})
	tests := []struct {
		name      string
		status    *string
		annotated string
		want      bool
	}{
		{"the projector's own write", own, claims.Digest(own), false},
		{"written by someone else since", other, claims.Digest(own), true},
		{"never projected, records present", own, "", true},
		{"never projected, no records", nil, "", false},
		{"emptied by someone else", ptr.To(""), claims.Digest(own), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := claims.Foreign(tt.status, tt.annotated); got != tt.want {
				t.Errorf("Foreign = %v, want %v", got, tt.want)
			}
		})
	}
	if claims.Digest(nil) != claims.Digest(ptr.To("")) {
		t.Error("nil and empty status differ")
	}
}

// TestAddRecords: each claim adds its holder's record under its address in
// the status's form; a claim whose spec.ip is no address is an error.
func TestAddRecords(t *testing.T) {
	claim := func(name, ip string) ipamclaimsv1alpha1.SpiderIPClaim {
		return ipamclaimsv1alpha1.SpiderIPClaim{ObjectMeta: metav1.ObjectMeta{Name: name},
			Spec: ipamclaimsv1alpha1.IPClaimSpec{IP: ip, PodNamespace: "ns", PodName: "pod-" + name, PodUID: "uid-" + name}}
	}
	recs := spiderpoolv2beta1.PoolIPAllocations{}
	if err := claims.AddRecords(recs, []ipamclaimsv1alpha1.SpiderIPClaim{claim("a", "10.0.0.1"), claim("b", "fd00:0::0001")}); err != nil {
		t.Fatal(err)
	}
	want := spiderpoolv2beta1.PoolIPAllocations{
		"10.0.0.1": spiderpoolv2beta1.NewPoolIPAllocation("ns", "pod-a", "uid-a"),
		"fd00::1":  spiderpoolv2beta1.NewPoolIPAllocation("ns", "pod-b", "uid-b"),
	}
	if diff := cmp.Diff(want, recs); diff != "" {
		t.Errorf("records (-want +got):\n%s", diff)
	}
	if err := claims.AddRecords(recs, []ipamclaimsv1alpha1.SpiderIPClaim{claim("bad", "10.0.0")}); err == nil || !strings.Contains(err.Error(), "SpiderIPClaim bad") {
		t.Errorf("claim with a bad address: %v; want an error naming it", err)
	}
}
