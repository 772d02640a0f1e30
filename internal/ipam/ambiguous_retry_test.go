// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package ipam_test

import (
	"context"
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/interceptor"

	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
	"github.com/spiderpool-go/spiderpool/internal/annotation"
	"github.com/spiderpool-go/spiderpool/internal/ipam"
	"github.com/spiderpool-go/spiderpool/internal/ipam/ipamtest"
)

// blindToEndpoints is a cache that has not seen any SpiderEndpoint yet
// (its watch broke and has not relisted).
type blindToEndpoints struct{ client.Reader }

func (b blindToEndpoints) Get(ctx context.Context, key client.ObjectKey, obj client.Object, opts ...client.GetOption) error {
	if _, ok := obj.(*spiderpoolv2beta1.SpiderEndpoint); ok {
		return apierrors.NewNotFound(spiderpoolv2beta1.GroupVersion.WithResource("spiderendpoints").GroupResource(), key.Name)
	}
	return b.Reader.Get(ctx, key, obj, opts...)
}

// TestRetryNeverFreesAddressesALandedEndpointLists replays chaos seed 1011:
// an ADD's endpoint create lands but answers 500, so the ADD fails and
// keeps its addresses; the retried ADD reads the endpoint from a cache that
// has not seen it, finds its records (reused), and its create answers
// AlreadyExists. Its rollback must not free the reused addresses: the
// landed endpoint lists them, and another pod would get them while it
// does.
func TestRetryNeverFreesAddressesALandedEndpointLists(t *testing.T) {
	pod := newPod("p", withAnno(annotation.KeyIPPool, `{"ipv4":["a"]}`))
	c := ipamtest.NewClient(interceptor.Funcs{},
		&corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: testNS}},
		&corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: testNode}},
		newPool("a", "10.1.0.0/24", []string{"10.1.0.10-10.1.0.20"}), pod)
	st := ipamtest.NewStore(c)
	svc, err := ipam.New(testConfig(), ipam.Deps{Cache: blindToEndpoints{c}, API: c, Store: st})
	if err != nil {
		t.Fatal(err)
	}
	if err := svc.Restore(t.Context()); err != nil {
		t.Fatal(err)
	}
	st.FailAfterWrite(ipamtest.CreateEndpoint, apierrors.NewInternalError(errors.New("etcd request timed out")))
	if _, err := svc.Allocate(t.Context(), addReq(pod, "eth0")); err == nil {
		t.Fatal("the first ADD succeeded; want the injected 500")
	}
	want := records(t, c, "a")
	poolWrites := st.Calls(ipamtest.UpdatePoolStatus)
	res, err := svc.Allocate(t.Context(), addReq(pod, "eth0"))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, records(t, c, "a")); diff != "" {
		t.Errorf("records changed by the retry (-before +after):\n%s", diff)
	}
	if n := st.Calls(ipamtest.UpdatePoolStatus) - poolWrites; n != 0 {
		t.Errorf("the retry wrote the pool %d times; want none: freeing the reused address, even for a moment, hands it to another pod", n)
	}
	if nic, ok := res.NIC("eth0"); !ok || nic.IPv4 == nil || want[nic.IPv4.Address.Addr().String()] != string(pod.UID) {
		t.Errorf("retry returned %+v; want the address recorded by the first ADD %v", res, want)
	}
}
