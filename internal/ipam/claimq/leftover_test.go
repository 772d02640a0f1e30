// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package claimq_test

import (
	"context"
	"errors"
	"net/netip"
	"testing"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/interceptor"

	ipamclaimsv1alpha1 "github.com/spiderpool-go/spiderpool/api/ipamclaims/v1alpha1"
	"github.com/spiderpool-go/spiderpool/internal/ipam/claimq"
	"github.com/spiderpool-go/spiderpool/internal/ipam/poolq"
)

// TestRetryReusesTheClaimAFailedADDLeft: a claim's create lands but its
// answer is a 500, and the read that would settle it fails too, so the ADD
// fails. The retried ADD, on an agent whose watch does not show the claim
// yet (the API server restarting), finds it on the API server and reuses
// it, instead of taking a second address that the live pod would keep,
// listed by no endpoint.
func TestRetryReusesTheClaimAFailedADDLeft(t *testing.T) {
	newPool(t, "retry", "10.88.0.0/24", []string{"10.88.0.10-10.88.0.19"}, nil)
	serverError := apierrors.NewInternalError(errors.New("etcd leader changed"))
	var created, read bool // the first claim create and read only
	base, err := client.NewWithWatch(cfg, client.Options{Scheme: scheme()})
	if err != nil {
		t.Fatal(err)
	}
	writer := interceptor.NewClient(base, interceptor.Funcs{
		Create: func(ctx context.Context, c client.WithWatch, obj client.Object, opts ...client.CreateOption) error {
			err := c.Create(ctx, obj, opts...)
			if _, ok := obj.(*ipamclaimsv1alpha1.SpiderIPClaim); ok && err == nil && !created {
				created = true
				return serverError // it landed; the answer is lost
			}
			return err
		},
	})
	reader := interceptor.NewClient(base, interceptor.Funcs{
		Get: func(ctx context.Context, c client.WithWatch, key client.ObjectKey, obj client.Object, opts ...client.GetOption) error {
			if _, ok := obj.(*ipamclaimsv1alpha1.SpiderIPClaim); ok && !read {
				read = true
				return serverError
			}
			return c.Get(ctx, key, obj, opts...)
		},
	})
	q := claimq.New(claimq.Deps{Pools: latest{api}, Claims: noClaimsYet{api}, API: reader, Writer: writer, Node: "n1"})
	op := poolq.Op{Kind: poolq.Allocate, PodKey: "ns/r", UID: "uid-r"}
	first := submit(t, q, "retry", op)
	if first.Err == nil {
		t.Fatalf("first allocate = %+v; want the unknown outcome reported", first)
	}
	var landed ipamclaimsv1alpha1.SpiderIPClaimList
	if err := api.List(t.Context(), &landed, client.MatchingLabels{ipamclaimsv1alpha1.LabelPodUID: "uid-r"}); err != nil || len(landed.Items) != 1 {
		t.Fatalf("claims of uid-r after the failed ADD: %d (%v); want the one that landed", len(landed.Items), err)
	}
	again := submit(t, q, "retry", op)
	if again.Err != nil || !again.Reused || again.IP != netip.MustParseAddr(landed.Items[0].Spec.IP) {
		t.Errorf("retried allocate = %+v; want %s reused", again, landed.Items[0].Spec.IP)
	}
	if err := api.List(t.Context(), &landed, client.MatchingLabels{ipamclaimsv1alpha1.LabelPodUID: "uid-r"}); err != nil || len(landed.Items) != 1 {
		t.Errorf("claims of uid-r after the retry: %d (%v); want 1", len(landed.Items), err)
	}
}
