// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package claims_test

import (
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	ipamclaimsv1alpha1 "github.com/spiderpool-go/spiderpool/api/ipamclaims/v1alpha1"
	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
	"github.com/spiderpool-go/spiderpool/internal/claims"
)

func entry(manager, sub, fields string) metav1.ManagedFieldsEntry {
	return metav1.ManagedFieldsEntry{Manager: manager, Operation: metav1.ManagedFieldsOperationUpdate, Subresource: sub,
		FieldsType: "FieldsV1", FieldsV1: &metav1.FieldsV1{Raw: []byte(fields)}}
}

const (
	specFields    = `{"f:spec":{".":{},"f:ips":{},"f:subnet":{}}}`
	recordsFields = `{"f:status":{".":{},"f:allocatedIPCount":{},"f:allocatedIPs":{}}}`
	countFields   = `{"f:status":{"f:allocatedIPCount":{}}}`
)

func TestRecordsOwner(t *testing.T) {
	projector := ipamclaimsv1alpha1.ProjectorFieldManager
	tests := []struct {
		name    string
		fields  []metav1.ManagedFieldsEntry
		owner   string
		own     bool
		foreign bool
	}{
		{"no managedFields: nothing known", nil, "", false, true},
		{"never written", []metav1.ManagedFieldsEntry{entry("kubectl", "", specFields)}, "", true, false},
		{"the projector", []metav1.ManagedFieldsEntry{entry("kubectl", "", specFields), entry(projector, "status", recordsFields)}, projector, true, false},
		{"Spiderpool's agent", []metav1.ManagedFieldsEntry{entry(projector, "status", countFields), entry("spiderpool-agent", "status", recordsFields)}, "spiderpool-agent", false, true},
		{"fields that do not parse hold nothing", []metav1.ManagedFieldsEntry{entry("x", "status", `{"f:status":`), entry("kubectl", "", specFields)}, "", true, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			owner, _ := claims.RecordsOwner(tt.fields)
			if owner != tt.owner || claims.OwnRecords(tt.fields) != tt.own {
				t.Errorf("RecordsOwner = %q, OwnRecords = %t; want %q, %t", owner, claims.OwnRecords(tt.fields), tt.owner, tt.own)
			}
			pool := &spiderpoolv2beta1.SpiderIPPool{ObjectMeta: metav1.ObjectMeta{ManagedFields: tt.fields}}
			pool.Status.AllocatedIPs = ptr.To(`{"10.0.0.1":{"pod":"ns/p","podUid":"u"}}`)
			if got := claims.ForeignStatus(pool); got != tt.foreign {
				t.Errorf("ForeignStatus without the digest = %t, want %t", got, tt.foreign)
			}
			pool.Annotations = map[string]string{ipamclaimsv1alpha1.AnnoProjectedDigest: claims.Digest(pool.Status.AllocatedIPs)}
			if claims.ForeignStatus(pool) {
				t.Error("ForeignStatus with the status's digest annotated = true, want false")
			}
		})
	}
	if claims.ForeignStatus(&spiderpoolv2beta1.SpiderIPPool{}) {
		t.Error("an empty status is foreign")
	}
}

func FuzzRecordsOwner(f *testing.F) {
	for _, s := range []string{specFields, recordsFields, countFields, `{"f:status":[]}`, `null`, ``} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		fields := []metav1.ManagedFieldsEntry{entry("m", "status", raw)}
		owner, ok := claims.RecordsOwner(fields)
		if ok != (owner == "m") {
			t.Errorf("RecordsOwner(%q) = %q, %t", raw, owner, ok)
		}
		if claims.OwnRecords(fields) == ok {
			t.Errorf("OwnRecords(%q) = %t with owner %q", raw, claims.OwnRecords(fields), owner)
		}
	})
}
