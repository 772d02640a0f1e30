// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package webhook

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"
	"sigs.k8s.io/controller-runtime/pkg/client/interceptor"

	nadv1 "github.com/spiderpool-go/spiderpool/api/k8scni/v1"
	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
	"github.com/spiderpool-go/spiderpool/internal/validation"
)

var rulesOn = validation.Config{EnableIPv4: true, EnableIPv6: true, EnableSpiderSubnet: true}

func testScheme(t *testing.T) *runtime.Scheme {
	t.Helper()
	s := runtime.NewScheme()
	for _, add := range []func(*runtime.Scheme) error{spiderpoolv2beta1.AddToScheme, nadv1.AddToScheme} {
		if err := add(s); err != nil {
			t.Fatal(err)
		}
	}
	return s
}

func fakeReader(t *testing.T, funcs *interceptor.Funcs, objs ...client.Object) client.Reader {
	t.Helper()
	b := fake.NewClientBuilder().WithScheme(testScheme(t)).WithObjects(objs...)
	if funcs != nil {
		b = b.WithInterceptorFuncs(*funcs)
	}
	return b.Build()
}

func newPool(name, subnet string, ips ...string) *spiderpoolv2beta1.SpiderIPPool {
	return &spiderpoolv2beta1.SpiderIPPool{
		ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec:       spiderpoolv2beta1.IPPoolSpec{IPVersion: ptr.To(spiderpoolv2beta1.IPv4), Subnet: subnet, IPs: ips},
	}
}

func TestIPPoolCreate(t *testing.T) {
	existing := newPool("a", "10.6.0.0/16", "10.6.0.10")
	h := &ipPoolHooks{reader: fakeReader(t, nil, existing), rules: rulesOn}
	ctx := t.Context()
	if _, err := h.ValidateCreate(ctx, newPool("a", "10.7.0.0/16")); !apierrors.IsAlreadyExists(err) {
		t.Errorf("duplicate name: %v, want AlreadyExists", err)
	}
	_, err := h.ValidateCreate(ctx, newPool("b", "10.6.0.0/16", "10.6.0.10"))
	if !apierrors.IsInvalid(err) || !strings.Contains(err.Error(), `spec.ips[0]: Invalid value: "10.6.0.10": overlaps SpiderIPPool "a"`) {
		t.Errorf("overlap: %v", err)
	}
	if _, err := h.ValidateCreate(ctx, newPool("c", "10.6.0.0/16", "10.6.0.11")); err != nil {
		t.Errorf("valid pool: %v", err)
	}
	if _, err := h.ValidateCreate(ctx, &spiderpoolv2beta1.SpiderSubnet{}); !apierrors.IsBadRequest(err) {
		t.Errorf("wrong type: %v, want BadRequest", err)
	}
}

func TestIPPoolReadFailure(t *testing.T) {
	boom := errors.New("boom")
	funcs := &interceptor.Funcs{List: func(context.Context, client.WithWatch, client.ObjectList, ...client.ListOption) error { return boom }}
	h := &ipPoolHooks{reader: fakeReader(t, funcs), rules: rulesOn}
	_, err := h.ValidateCreate(t.Context(), newPool("a", "10.6.0.0/16"))
	if !apierrors.IsInternalError(err) || !strings.Contains(err.Error(), "read SpiderIPPools: boom") {
		t.Errorf("ValidateCreate = %v, want an internal error naming the read", err)
	}
	if err := h.Default(t.Context(), newPool("a", "10.6.0.0/16")); !apierrors.IsInternalError(err) {
		t.Errorf("Default = %v, want an internal error", err)
	}
	// An update that leaves the spec alone reads nothing, so it passes.
	old := newPool("a", "10.6.0.0/16")
	if _, err := h.ValidateUpdate(t.Context(), old, old.DeepCopy()); err != nil {
		t.Errorf("ValidateUpdate of an unchanged spec = %v", err)
	}
}

func TestIPPoolDefaultInheritsSubnet(t *testing.T) {
	subnet := &spiderpoolv2beta1.SpiderSubnet{
		ObjectMeta: metav1.ObjectMeta{Name: "s", UID: "u", Labels: map[string]string{spiderpoolv2beta1.LabelSubnetCIDR: "10-6-0-0-16"}},
		Spec:       spiderpoolv2beta1.SubnetSpec{IPVersion: ptr.To(spiderpoolv2beta1.IPv4), Subnet: "10.6.0.0/16", Gateway: ptr.To("10.6.0.1")},
	}
	reader := fakeReader(t, nil, subnet)
	for _, tc := range []struct {
		rules validation.Config
		want  string
	}{{rulesOn, "s"}, {validation.Config{EnableIPv4: true}, ""}} {
		pool := newPool("p", "10.6.0.0/16")
		h := &ipPoolHooks{reader: reader, rules: tc.rules}
		if err := h.Default(t.Context(), pool); err != nil {
			t.Fatal(err)
		}
		if got := validation.ControllerSubnet(pool); got != tc.want {
			t.Errorf("subnet feature %v: controller %q, want %q", tc.rules.EnableSpiderSubnet, got, tc.want)
		}
		if tc.want != "" && ptr.Deref(pool.Spec.Gateway, "") != "10.6.0.1" {
			t.Errorf("gateway %v not inherited", pool.Spec.Gateway)
		}
	}
}

func TestDeletionSwitch(t *testing.T) {
	pool := newPool("p", "10.6.0.0/16", "10.6.0.10")
	pool.Status.AllocatedIPCount = ptr.To[int64](1)
	pool.Status.AllocatedIPs = spiderpoolv2beta1.FormatAllocatedIPs(spiderpoolv2beta1.PoolIPAllocations{
		"10.6.0.10": spiderpoolv2beta1.NewPoolIPAllocation("default", "web", "u"),
	})
	subnet := &spiderpoolv2beta1.SpiderSubnet{ObjectMeta: metav1.ObjectMeta{Name: "s"}}
	subnet.Status.AllocatedIPCount = ptr.To[int64](3)
	for _, protect := range []bool{true, false} {
		_, poolErr := (&ipPoolHooks{protectDeletion: protect}).ValidateDelete(t.Context(), pool)
		_, subnetErr := (&subnetHooks{protectDeletion: protect}).ValidateDelete(t.Context(), subnet)
		if protect != apierrors.IsForbidden(poolErr) || protect != apierrors.IsForbidden(subnetErr) {
			t.Errorf("protect=%v: pool %v, subnet %v", protect, poolErr, subnetErr)
		}
	}
	_, err := (&ipPoolHooks{protectDeletion: true}).ValidateDelete(t.Context(), pool)
	if want := `spiderippools.spiderpool.spidernet.io "p" is forbidden: cannot delete: 1 IPs are still allocated: 10.6.0.10 (pod default/web)`; !strings.Contains(err.Error(), want) {
		t.Errorf("message %q lacks %q", err, want)
	}
}

func TestMultusConfigEnv(t *testing.T) {
	owner := metav1.OwnerReference{APIVersion: "spiderpool.spidernet.io/v2beta1", Kind: "SpiderMultusConfig", Name: "other", UID: "u"}
	nad := &nadv1.NetworkAttachmentDefinition{ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "net", OwnerReferences: []metav1.OwnerReference{owner}}}
	h := &multusConfigHooks{reader: fakeReader(t, nil, nad)}
	smc := &spiderpoolv2beta1.SpiderMultusConfig{ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "net"}}
	validation.DefaultMultusConfig(smc)
	_, err := h.ValidateCreate(t.Context(), smc)
	if !apierrors.IsInvalid(err) || !strings.Contains(err.Error(), `belongs to SpiderMultusConfig "other"`) {
		t.Errorf("ValidateCreate = %v, want the NAD owner named", err)
	}
	smc.Annotations = map[string]string{spiderpoolv2beta1.AnnoMultusConfigName: "Not_A_Name"}
	if _, err := h.ValidateCreate(t.Context(), smc); !apierrors.IsInvalid(err) || !strings.Contains(err.Error(), "RFC 1123") {
		t.Errorf("ValidateCreate = %v, want the cr-name rejected without reading a NAD", err)
	}
}

// Two overlapping pools created at the same moment: the second is checked
// against the first although the API server has not stored it yet.
func TestIPPoolCreateSeesPoolsAdmittedMoments(t *testing.T) {
	h := &ipPoolHooks{reader: fakeReader(t, nil), rules: rulesOn}
	if _, err := h.ValidateCreate(t.Context(), newPool("first", "10.8.0.0/16", "10.8.0.10-10.8.0.20")); err != nil {
		t.Fatal(err)
	}
	_, err := h.ValidateCreate(t.Context(), newPool("second", "10.8.0.0/16", "10.8.0.15-10.8.0.30"))
	if !apierrors.IsInvalid(err) || !strings.Contains(err.Error(), "first") {
		t.Fatalf("overlapping create: err = %v, want Invalid naming pool first", err)
	}
	now := time.Now().Add(admittedTTL + time.Second)
	h.recent.now = func() time.Time { return now }
	if _, err := h.ValidateCreate(t.Context(), newPool("third", "10.8.0.0/16", "10.8.0.15-10.8.0.30")); err != nil {
		t.Errorf("after %v the admitted pool, never stored, no longer counts: %v", admittedTTL, err)
	}
}
