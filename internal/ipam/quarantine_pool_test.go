// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package ipam_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"sigs.k8s.io/controller-runtime/pkg/client/interceptor"

	"github.com/spiderpool-go/spiderpool/internal/annotation"
	"github.com/spiderpool-go/spiderpool/internal/quarantine"
)

// TestPoolQuarantineAvoided: an address the pool keeps in quarantine goes
// to no pod, whatever its UID.
func TestPoolQuarantineAvoided(t *testing.T) {
	pod := newPod("p", withAnno(annotation.KeyIPPool, `{"ipv4":["a"]}`))
	pool := newPool("a", "10.1.0.0/24", []string{"10.1.0.10-10.1.0.20"})
	pool.Annotations = map[string]string{quarantine.Annotation: `{"10.1.0.10":{"reason":"IPConflict","mac":"02:00:00:00:00:01"},"10.1.0.11":{"reason":"IPConflict"}}`}
	e := newEnv(t, testConfig(), interceptor.Funcs{}, pod, pool)
	if diff := cmp.Diff([]string{"eth0:a=10.1.0.12/24"}, allocateAll(t, e, pod)); diff != "" {
		t.Errorf("addresses (-want +got):\n%s", diff)
	}
}
