// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package ctl

import (
	"context"
	"errors"
	"net/netip"
	"strings"
	"testing"

	gocmp "github.com/google/go-cmp/cmp"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"
	"sigs.k8s.io/controller-runtime/pkg/client/interceptor"

	ipamclaimsv1alpha1 "github.com/spiderpool-go/spiderpool/api/ipamclaims/v1alpha1"
	"github.com/spiderpool-go/spiderpool/internal/claims"
	"github.com/spiderpool-go/spiderpool/internal/gc"
)

// ipc is a SpiderIPClaim of ip in pool for pod, named as agents name it.
func ipc(pool, ip, pod, uid string) IPClaim {
	ref, _ := ParsePodRef(pod, "")
	name, _ := claims.Name(pool, netip.MustParseAddr(ip))
	return IPClaim{Name: name, Pool: pool, IP: ip, Namespace: ref.Namespace, PodName: ref.Name, UID: uid, NIC: "eth0"}
}

// ownStatus and foreignStatus say whose write the pools' status is.
var (
	ownStatus     = map[string]bool{"p4": true, "q4": true}
	foreignStatus = map[string]bool{"p4": false, "q4": false}
)

func TestClassifyIPClaims(t *testing.T) {
	misnamed := ipc("p4", "10.0.1.9", "ns/a", "u1")
	misnamed.Name = "0123456789abcdef0123456789abcdef.10-0-1-9" // a hash that is not p4's
	badIP := ipc("p4", "10.0.1.10", "ns/a", "u1")
	badIP.IP = "10.0.1"
	noUID := ipc("p4", "10.0.1.11", "ns/x", "")
	tests := []struct {
		name     string
		records  []Record
		eps      []Claim
		ipClaims []IPClaim
		own      map[string]bool
		verdicts map[incarnation]gc.Judgement
		want     []brief
	}{{
		name:     "clean: claim, record and endpoint agree, pod alive",
		records:  []Record{rec("p4", "10.0.1.1", "ns/a", "u1")},
		eps:      []Claim{claim("p4", "10.0.1.1", "ns/a", "u1")},
		ipClaims: []IPClaim{ipc("p4", "10.0.1.1", "ns/a", "u1")},
		own:      ownStatus,
		verdicts: map[incarnation]gc.Judgement{inc("ns/a", "u1"): alive},
	}, {
		name:     "a dead pod's claim leaks like its record",
		records:  []Record{rec("p4", "10.0.1.2", "ns/ghost", "u9")},
		ipClaims: []IPClaim{ipc("p4", "10.0.1.2", "ns/ghost", "u9"), ipc("p4", "10.0.1.3", "ns/ghost", "u9")},
		own:      ownStatus,
		verdicts: map[incarnation]gc.Judgement{inc("ns/ghost", "u9"): gone},
		want: []brief{
			{KindLeakedRecord, "10.0.1.2", "ns/ghost"},
			{KindLeakedIPClaim, "10.0.1.2", "ns/ghost"}, {KindLeakedIPClaim, "10.0.1.3", "ns/ghost"},
		},
	}, {
		name: "grace period and kept by design: the record tells, else the claim",
		records: []Record{
			rec("p4", "10.0.1.4", "ns/t", "u6"), rec("p4", "10.0.1.6", "ns/sts-0", "u5"),
		},
		ipClaims: []IPClaim{
			ipc("p4", "10.0.1.4", "ns/t", "u6"), ipc("p4", "10.0.1.5", "ns/t", "u6"), ipc("p4", "10.0.1.6", "ns/sts-0", "u5"),
		},
		own:      ownStatus,
		verdicts: map[incarnation]gc.Judgement{inc("ns/t", "u6"): inGrace, inc("ns/sts-0", "u5"): kept},
		want: []brief{
			{KindPendingGC, "10.0.1.4", "ns/t"}, {KindPendingGC, "10.0.1.5", "ns/t"},
			{KindKeptByDesign, "10.0.1.6", "ns/sts-0"}, {KindProjectionPending, "10.0.1.5", "ns/t"},
		},
	}, {
		name:     "claim and record name other UIDs in the projector's own status: a problem",
		records:  []Record{rec("p4", "10.0.1.7", "ns/b", "u2")},
		ipClaims: []IPClaim{ipc("p4", "10.0.1.7", "ns/a", "u1")},
		own:      ownStatus,
		verdicts: map[incarnation]gc.Judgement{inc("ns/a", "u1"): alive, inc("ns/b", "u2"): alive},
		want: []brief{
			{KindIPClaimRecordMismatch, "10.0.1.7", "ns/a"}, {KindRecordWithoutEndpoint, "10.0.1.7", "ns/b"},
		},
	}, {
		name:     "claim and record name other UIDs in a status someone else wrote: pending",
		records:  []Record{rec("p4", "10.0.1.7", "ns/a", "u0")},
		eps:      []Claim{claim("p4", "10.0.1.7", "ns/a", "u1")},
		ipClaims: []IPClaim{ipc("p4", "10.0.1.7", "ns/a", "u1")},
		own:      foreignStatus,
		verdicts: map[incarnation]gc.Judgement{inc("ns/a", "u1"): alive, inc("ns/a", "u0"): gone},
		want: []brief{
			{KindLeakedRecord, "10.0.1.7", "ns/a"}, {KindProjectionPending, "10.0.1.7", "ns/a"},
		},
	}, {
		name:     "an endpoint its claim agrees with waits for the projection, not a problem",
		eps:      []Claim{claim("p4", "10.0.1.8", "ns/a", "u1"), claim("p4", "10.0.1.12", "ns/a", "u1")},
		ipClaims: []IPClaim{ipc("p4", "10.0.1.8", "ns/a", "u1")},
		own:      ownStatus,
		verdicts: map[incarnation]gc.Judgement{inc("ns/a", "u1"): alive},
		want: []brief{
			{KindEndpointWithoutRecord, "10.0.1.12", "ns/a"}, {KindProjectionPending, "10.0.1.8", "ns/a"},
		},
	}, {
		name: "records without a claim: dropped late in the own status, adopted later in a foreign one",
		records: []Record{
			rec("p4", "10.0.1.1", "ns/a", "u1"), rec("p4", "10.0.1.20", "ns/c", "u3"),
			rec("q4", "10.0.2.1", "ns/a", "u1"), rec("q4", "10.0.2.20", "ns/c", "u3"),
			rec("r4", "10.0.3.20", "ns/c", "u3"), // a pool without claims: not looked at
		},
		eps: []Claim{
			claim("p4", "10.0.1.1", "ns/a", "u1"), claim("p4", "10.0.1.20", "ns/c", "u3"),
			claim("q4", "10.0.2.1", "ns/a", "u1"), claim("q4", "10.0.2.20", "ns/c", "u3"), claim("r4", "10.0.3.20", "ns/c", "u3"),
		},
		ipClaims: []IPClaim{ipc("p4", "10.0.1.1", "ns/a", "u1"), ipc("q4", "10.0.2.1", "ns/a", "u1")},
		own:      map[string]bool{"p4": true, "q4": false, "r4": true},
		verdicts: map[incarnation]gc.Judgement{inc("ns/a", "u1"): alive, inc("ns/c", "u3"): alive},
		want: []brief{
			{KindRecordWithoutIPClaim, "10.0.1.20", "ns/c"}, {KindAdoptionPending, "10.0.2.20", "ns/c"},
		},
	}, {
		name:     "misnamed claims, a claim of a pool that is gone, a claim without UID",
		records:  []Record{rec("p4", "10.0.1.9", "ns/a", "u1"), rec("p4", "10.0.1.10", "ns/a", "u1"), rec("p4", "10.0.1.11", "ns/x", "")},
		eps:      []Claim{claim("p4", "10.0.1.9", "ns/a", "u1"), claim("gone4", "10.0.9.1", "ns/a", "u1")},
		ipClaims: []IPClaim{misnamed, badIP, noUID, ipc("gone4", "10.0.9.1", "ns/a", "u1")},
		own:      ownStatus,
		verdicts: map[incarnation]gc.Judgement{inc("ns/a", "u1"): alive},
		want: []brief{
			{KindMisnamedIPClaim, "10.0.1", "ns/a"}, {KindMisnamedIPClaim, "10.0.1.9", "ns/a"},
			{KindOrphanIPClaim, "10.0.9.1", "ns/a"}, {KindRecordWithoutEndpoint, "10.0.1.10", "ns/a"},
			{KindProjectionPending, "10.0.1", "ns/a"}, {KindRecordWithoutIPClaim, "10.0.1.10", "ns/a"},
		},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fs := classify(tt.records, tt.eps, tt.verdicts)
			fs = withIPClaims(fs, tt.records, ipClaimView{claims: tt.ipClaims, own: tt.own}, tt.verdicts)
			var got []brief
			for _, f := range fs {
				if f.Problem != f.Kind.problem() {
					t.Errorf("%s: Problem = %v", f.Kind, f.Problem)
				}
				if f.IPClaim != "" && !strings.Contains(f.Detail, "SpiderIPClaim "+f.IPClaim) {
					t.Errorf("%s: detail %q does not name the claim %s", f.Kind, f.Detail, f.IPClaim)
				}
				got = append(got, brief{f.Kind, f.IP, f.Pod})
			}
			want := tt.want
			sortBriefs(want)
			sortBriefs(got)
			if diff := gocmp.Diff(want, got); diff != "" {
				t.Errorf("findings (-want +got):\n%s", diff)
			}
		})
	}
}

// TestWithoutIPClaimsNothingChanges: with no claim, the findings are
// classify's, whatever the pools' digests say.
func TestWithoutIPClaimsNothingChanges(t *testing.T) {
	records := []Record{rec("p4", "10.0.1.1", "ns/a", "u1"), rec("p4", "10.0.1.2", "ns/ghost", "u9")}
	eps := []Claim{claim("p4", "10.0.1.3", "ns/a", "u1")}
	verdicts := map[incarnation]gc.Judgement{inc("ns/a", "u1"): alive, inc("ns/ghost", "u9"): gone}
	want := classify(records, eps, verdicts)
	got := withIPClaims(classify(records, eps, verdicts), records, ipClaimView{own: ownStatus}, verdicts)
	if diff := gocmp.Diff(want, got); diff != "" {
		t.Errorf("findings (-classify +withIPClaims):\n%s", diff)
	}
}

// TestListIPClaimsWithoutCRD: a cluster without the SpiderIPClaim CRD has
// no claims; other errors are errors.
func TestListIPClaimsWithoutCRD(t *testing.T) {
	gvk := ipamclaimsv1alpha1.GroupVersion.WithKind("SpiderIPClaimList")
	tests := []struct {
		name    string
		err     error
		wantErr bool
	}{
		{"no kind (discovery)", &meta.NoKindMatchError{GroupKind: gvk.GroupKind(), SearchedVersions: []string{"v1alpha1"}}, false},
		{"no resource (wrapped)", errors.Join(&meta.NoResourceMatchError{PartialResource: schema.GroupVersionResource{Group: gvk.Group}}), false},
		{"not found (mapping cached before the CRD went)", apierrors.NewNotFound(schema.GroupResource{Group: gvk.Group, Resource: "spideripclaims"}, ""), false},
		{"forbidden", apierrors.NewForbidden(schema.GroupResource{Group: gvk.Group, Resource: "spideripclaims"}, "", errors.New("no RBAC")), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			snap, err := LoadSnapshot(t.Context(), failIPClaimList(t, tt.err))
			if tt.wantErr {
				if err == nil || !strings.Contains(err.Error(), "list on spideripclaims.ipam.spiderpool-go.io") {
					t.Fatalf("LoadSnapshot: %v, want an error naming the permission", err)
				}
				return
			}
			if err != nil || len(snap.SpiderIPClaims) != 0 {
				t.Fatalf("LoadSnapshot: %v, %d claims; want none and no error", err, len(snap.SpiderIPClaims))
			}
		})
	}
}

// failIPClaimList returns a fake client whose lists of SpiderIPClaims fail
// with err.
func failIPClaimList(t *testing.T, err error) client.Client {
	t.Helper()
	scheme, serr := Scheme()
	if serr != nil {
		t.Fatal(serr)
	}
	return ipClaimListFails(fake.NewClientBuilder().WithScheme(scheme).Build(), err)
}

// ipClaimListFails returns c with its lists of SpiderIPClaims failing with
// err.
func ipClaimListFails(c client.WithWatch, err error) client.Client {
	return interceptor.NewClient(c, interceptor.Funcs{
		List: func(ctx context.Context, c client.WithWatch, list client.ObjectList, opts ...client.ListOption) error {
			if _, ok := list.(*ipamclaimsv1alpha1.SpiderIPClaimList); ok {
				return err
			}
			return c.List(ctx, list, opts...)
		},
	})
}
