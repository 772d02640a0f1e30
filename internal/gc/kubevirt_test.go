// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package gc

import (
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/utils/ptr"

	"github.com/spiderpool-go/spiderpool/internal/workload"
)

// KubeVirt endpoints and records are named after the VMI, not the pod; a
// cluster switched from Spiderpool may hold them. They are kept while the
// VMI or its VM is wanted (enableKubevirtStaticIP).

// The KubeVirt kinds the rules read (internal/workload).
var (
	gvkVMI = schema.GroupVersionKind{Group: "kubevirt.io", Version: "v1", Kind: workload.KindVMI}
	gvkVM  = schema.GroupVersionKind{Group: "kubevirt.io", Version: "v1", Kind: "VirtualMachine"}
)

func TestKubevirtStaticIP(t *testing.T) {
	tests := []struct {
		name         string
		vmi, vm      bool
		endpoint     bool
		disable      bool
		wantReleased bool
	}{
		{"endpoint, VMI exists", true, false, true, false, false},
		{"endpoint, only the VM exists", false, true, true, false, false},
		{"endpoint, VMI and VM gone", false, false, true, false, true},
		{"record without endpoint, VMI exists", true, false, false, false, false},
		{"record without endpoint, VMI and VM gone", false, false, false, false, true},
		{"enableKubevirtStaticIP off", true, true, true, true, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, func(o *Options) { o.EnableKubevirtStaticIP = !tt.disable })
			if tt.vmi {
				e.kubevirt(gvkVMI, "vm1")
			}
			if tt.vm {
				e.kubevirt(gvkVM, "vm1")
			}
			launcher := rec{ip: e.ip(1), name: "vm1", uid: "uid-virt-launcher-vm1-abcde"}
			pool := e.pool("v4", launcher)
			if tt.endpoint {
				e.endpoint("vm1", launcher.uid, owner{kind: workload.KindVMI, name: "vm1"}, poolAddr{pool, e.ip(1)})
			}
			e.scan()
			if tt.wantReleased {
				e.wantRecords(pool)
			} else {
				e.wantRecords(pool, launcher)
			}
			if tt.endpoint && tt.wantReleased {
				e.wantEndpoint("vm1", epDeleted)
			} else if tt.endpoint {
				e.wantEndpoint("vm1", epKept)
			}
		})
	}
}

func (e *env) kubevirt(gvk schema.GroupVersionKind, name string) {
	e.t.Helper()
	u := &unstructured.Unstructured{}
	u.SetGroupVersionKind(gvk)
	u.SetNamespace(e.ns)
	u.SetName(name)
	if gvk == gvkVMI {
		u.SetOwnerReferences([]metav1.OwnerReference{{APIVersion: "kubevirt.io/v1", Kind: "VirtualMachine", Name: name,
			UID: "uid-vm", Controller: ptr.To(true)}})
	}
	e.create(u)
	e.t.Cleanup(func() { _ = e.c.Delete(e.t.Context(), u) })
}
