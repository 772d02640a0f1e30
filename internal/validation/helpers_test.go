// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package validation

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/validation/field"

	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
)

// allOn enables both families and subnets.
var allOn = Config{EnableIPv4: true, EnableIPv6: true, EnableSpiderSubnet: true}

func ptrTo[T any](v T) *T { return &v }

// want is an expected field error: its path, its type and words of its
// detail (all must appear, in any order).
type want struct {
	field string
	typ   field.ErrorType
	words []string
}

// w builds a want.
func w(path string, typ field.ErrorType, words ...string) want {
	return want{field: path, typ: typ, words: words}
}

// checkErrs compares errs with wants: paths and types exactly, in order,
// and each detail containing its words.
func checkErrs(t *testing.T, errs field.ErrorList, wants ...want) {
	t.Helper()
	type key struct{ Field, Type string }
	var got, exp []key
	for _, e := range errs {
		got = append(got, key{e.Field, string(e.Type)})
	}
	for _, x := range wants {
		exp = append(exp, key{x.field, string(x.typ)})
	}
	if diff := cmp.Diff(exp, got); diff != "" {
		t.Fatalf("errors (-want +got):\n%s\nall: %v", diff, errs)
	}
	for i, x := range wants {
		for _, word := range x.words {
			if !strings.Contains(errs[i].Error(), word) {
				t.Errorf("error %d %q lacks %q", i, errs[i].Error(), word)
			}
		}
	}
}

// pool4 returns a valid IPv4 pool in 10.6.0.0/16.
func pool4(name string, ips ...string) *spiderpoolv2beta1.SpiderIPPool {
	return &spiderpoolv2beta1.SpiderIPPool{
		ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec: spiderpoolv2beta1.IPPoolSpec{
			IPVersion: ptrTo(spiderpoolv2beta1.IPv4),
			Subnet:    "10.6.0.0/16",
			IPs:       ips,
		},
	}
}

// pool6 returns a valid IPv6 pool in fd00::/64.
func pool6(name string, ips ...string) *spiderpoolv2beta1.SpiderIPPool {
	return &spiderpoolv2beta1.SpiderIPPool{
		ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec: spiderpoolv2beta1.IPPoolSpec{
			IPVersion: ptrTo(spiderpoolv2beta1.IPv6),
			Subnet:    "fd00::/64",
			IPs:       ips,
		},
	}
}

// subnet4 returns a valid IPv4 subnet 10.6.0.0/16.
func subnet4(name string, ips ...string) *spiderpoolv2beta1.SpiderSubnet {
	return &spiderpoolv2beta1.SpiderSubnet{
		ObjectMeta: metav1.ObjectMeta{Name: name, UID: types.UID("uid-subnet-" + name)},
		Spec: spiderpoolv2beta1.SubnetSpec{
			IPVersion: ptrTo(spiderpoolv2beta1.IPv4),
			Subnet:    "10.6.0.0/16",
			IPs:       ips,
		},
	}
}

// pools dereferences pool pointers into a list.
func pools(ps ...*spiderpoolv2beta1.SpiderIPPool) []spiderpoolv2beta1.SpiderIPPool {
	out := make([]spiderpoolv2beta1.SpiderIPPool, len(ps))
	for i, p := range ps {
		out[i] = *p
	}
	return out
}

// with applies edits to a copy of p.
func with[T interface{ DeepCopy() T }](p T, edits ...func(T)) T {
	c := p.DeepCopy()
	for _, e := range edits {
		e(c)
	}
	return c
}
