// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package ipam_test

import (
	"errors"
	"testing"

	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/interceptor"

	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
	"github.com/spiderpool-go/spiderpool/internal/annotation"
	"github.com/spiderpool-go/spiderpool/internal/ipam"
)

// TestMultusNameMatchesJSONNetworks checks spec.multusName against the
// JSON form of k8s.v1.cni.cncf.io/networks with interface, ips and mac, as
// the pod webhook and users write it (Spiderpool v1.0 read only the comma
// form and filtered such pools out: its issue #5450).
func TestMultusNameMatchesJSONNetworks(t *testing.T) {
	networks := `[{"name":"mv-a","namespace":"net","interface":"ens1","ips":["10.1.0.10/24"],"mac":"02:00:00:00:00:0a"},` +
		`{"name":"mv-b","interface":"ens2"}]`
	for _, tt := range []struct {
		name, ifName, multusName string
		match                    bool
	}{
		{"by interface, namespace given", "ens1", "net/mv-a", true},
		{"by interface, pod namespace", "ens2", "default/mv-b", true},
		{"by position", "2", "default/mv-b", true},
		{"another network", "ens1", "default/mv-b", false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			pod := newPod("p", withAnno(annotation.KeyMultusNetworks, networks), withAnno(annotation.KeyIPPool, `{"ipv4":["pool"]}`))
			pool := newPool("pool", "10.1.0.0/24", []string{"10.1.0.10"},
				withSpec(func(s *spiderpoolv2beta1.IPPoolSpec) { s.MultusName = []string{tt.multusName} }))
			e := newEnv(t, testConfig(), interceptor.Funcs{}, []client.Object{pod, pool, replicaSet()}...)
			_, err := e.svc.Allocate(t.Context(), addReq(pod, tt.ifName))
			if tt.match && err != nil {
				t.Fatalf("Allocate: %v", err)
			}
			if !tt.match && !errors.Is(err, ipam.ErrNoPool) {
				t.Fatalf("Allocate = %v, want ErrNoPool", err)
			}
		})
	}
}
