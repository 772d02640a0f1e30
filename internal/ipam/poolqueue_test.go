// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package ipam_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client/interceptor"

	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
	"github.com/spiderpool-go/spiderpool/internal/annotation"
)

func withPoolUID(uid string) poolOpt {
	return func(p *spiderpoolv2beta1.SpiderIPPool) { p.UID = types.UID(uid) }
}

// recreatePool deletes pool name and creates want in its place, as
// `kubectl replace --force` does once the pool is empty.
func recreatePool(t *testing.T, e *env, want *spiderpoolv2beta1.SpiderIPPool) {
	t.Helper()
	old := &spiderpoolv2beta1.SpiderIPPool{}
	old.Name = want.Name
	if err := e.client.Delete(t.Context(), old); err != nil {
		t.Fatal(err)
	}
	if err := e.client.Create(t.Context(), want); err != nil {
		t.Fatal(err)
	}
}

// TestRecreatedPoolAllocatesFromNewSpec (review #1): a pool deleted and
// re-created under the same name with another subnet (same generation, same
// reserved IPs) is allocated from the new object's ranges, not from the
// usable set the queue computed for the old one.
func TestRecreatedPoolAllocatesFromNewSpec(t *testing.T) {
	p1 := newPod("p1", withAnno(annotation.KeyIPPool, `{"ipv4":["a"]}`))
	p2 := newPod("p2", withAnno(annotation.KeyIPPool, `{"ipv4":["a"]}`))
	e := newEnv(t, testConfig(), interceptor.Funcs{}, p1, p2,
		newPool("a", "10.1.0.0/24", []string{"10.1.0.10-10.1.0.20"}, withPoolUID("uid-pool-1")))
	allocateAll(t, e, p1)
	deletePod(t, e.client, p1)
	if err := e.svc.Release(t.Context(), delReq(p1)); err != nil {
		t.Fatal(err)
	}
	recreatePool(t, e, newPool("a", "10.2.0.0/24", []string{"10.2.0.10-10.2.0.20"}, withPoolUID("uid-pool-2")))
	if diff := cmp.Diff([]string{"eth0:a=10.2.0.10/24"}, allocateAll(t, e, p2)); diff != "" {
		t.Errorf("addresses (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(map[string]string{"10.2.0.10": "uid-p2"}, records(t, e.client, "a")); diff != "" {
		t.Errorf("records (-want +got):\n%s", diff)
	}
}
