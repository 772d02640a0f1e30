// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package validation

import (
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/validation/field"

	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
)

type reserved = *spiderpoolv2beta1.SpiderReservedIP

func reservedIP(v *int64, ips ...string) reserved {
	return &spiderpoolv2beta1.SpiderReservedIP{
		ObjectMeta: metav1.ObjectMeta{Name: "r"},
		Spec:       spiderpoolv2beta1.ReservedIPSpec{IPVersion: v, IPs: ips},
	}
}

func TestReservedIP(t *testing.T) {
	v4, v6 := ptrTo(spiderpoolv2beta1.IPv4), ptrTo(spiderpoolv2beta1.IPv6)
	tests := []struct {
		name string
		rip  reserved
		cfg  Config
		want []want
	}{
		{name: "valid", rip: reservedIP(v4, "10.6.0.1", "10.7.0.1-10.7.0.9"), cfg: allOn},
		{name: "valid v6", rip: reservedIP(v6, "fd00::1-fd00::9"), cfg: allOn},
		{name: "no overlap checks", rip: reservedIP(v4, "10.6.0.1-10.6.0.9", "10.6.0.5"), cfg: allOn},
		{name: "version missing", rip: reservedIP(nil), cfg: allOn,
			want: []want{w("spec.ipVersion", field.ErrorTypeRequired, "spec.ips[0]")}},
		{name: "family disabled", rip: reservedIP(v6, "fd00::1"), cfg: Config{EnableIPv4: true},
			want: []want{w("spec.ipVersion", field.ErrorTypeInvalid, "IPv6 is disabled")}},
		{name: "entry of the other family", rip: reservedIP(v4, "10.6.0.1", "fd00::1"), cfg: allOn,
			want: []want{w("spec.ips[1]", field.ErrorTypeInvalid, "not an IPv4 address")}},
		{name: "entry not a range", rip: reservedIP(v4, "10.6.0.9-10.6.0.1"), cfg: allOn,
			want: []want{w("spec.ips[0]", field.ErrorTypeInvalid, "start is above the end")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkErrs(t, ValidateReservedIP(tt.rip, tt.cfg), tt.want...)
		})
	}
}

func TestReservedIPUpdate(t *testing.T) {
	old := reservedIP(ptrTo(spiderpoolv2beta1.IPv4), "10.6.0.1")
	tests := []struct {
		name string
		new  reserved
		want []want
	}{
		{name: "more IPs", new: reservedIP(ptrTo(spiderpoolv2beta1.IPv4), "10.6.0.1-10.6.0.5")},
		{name: "version changed", new: reservedIP(ptrTo(spiderpoolv2beta1.IPv6), "fd00::1"),
			want: []want{w("spec.ipVersion", field.ErrorTypeInvalid, "Invalid value: 6: field is immutable (was 4); set it back, or create a new SpiderReservedIP for IPv6 instead")}},
		{name: "terminating", new: with(old, func(r reserved) {
			r.DeletionTimestamp = &metav1.Time{}
			r.Spec.IPs = nil
		}), want: []want{w("spec", field.ErrorTypeForbidden, "SpiderReservedIP is being deleted")}},
		{name: "unchanged", new: with(old, func(r reserved) { r.Labels = map[string]string{"a": "b"} })},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkErrs(t, ValidateReservedIPUpdate(old, tt.new, allOn), tt.want...)
		})
	}
}
