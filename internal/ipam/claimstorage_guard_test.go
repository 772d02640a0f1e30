// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package ipam_test

import (
	"errors"
	"strings"
	"testing"

	"sigs.k8s.io/controller-runtime/pkg/client/interceptor"

	ipamclaimsv1alpha1 "github.com/spiderpool-go/spiderpool/api/ipamclaims/v1alpha1"
	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
	"github.com/spiderpool-go/spiderpool/internal/annotation"
	"github.com/spiderpool-go/spiderpool/internal/store"
)

// keptByClaims marks a pool as the claim storage's.
func keptByClaims(p *spiderpoolv2beta1.SpiderIPPool) {
	p.Annotations = map[string]string{ipamclaimsv1alpha1.AnnoStorage: ipamclaimsv1alpha1.StorageClaims}
}

// An agent without the claim storage neither allocates from nor releases
// into a pool the claim storage keeps: it does not see the claims, so it
// would hand out claimed addresses. The ADD fails, naming the pool, the
// annotation and the setting to fix; the pool's records are untouched.
func TestPoolKeptByClaimsIsNotWritten(t *testing.T) {
	pods, objs := podsWith(2, withAnno(annotation.KeyIPPool, `{"ipv4":["open","kept"]}`))
	e := newEnv(t, testConfig(), interceptor.Funcs{}, append(objs,
		newPool("open", "10.1.0.0/24", []string{"10.1.0.10"}),
		newPool("kept", "10.2.0.0/24", []string{"10.2.0.10"}, keptByClaims))...)
	allocateAll(t, e, pods[0]) // the open pool's one address

	_, err := e.svc.Allocate(t.Context(), addReq(pods[1], "eth0"))
	if !errors.Is(err, store.ErrClaimStorage) {
		t.Fatalf("ADD from a pool kept by the claim storage: err = %v, want ErrClaimStorage", err)
	}
	for _, want := range []string{"SpiderIPPool kept", ipamclaimsv1alpha1.AnnoStorage, "SPIDERPOOL_CLAIM_STORAGE=true"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not name %q", err, want)
		}
	}
	if got := records(t, e.client, "kept"); len(got) != 0 {
		t.Errorf("kept pool's records = %v, want none", got)
	}
}
