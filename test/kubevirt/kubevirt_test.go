// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package kubevirt

import (
	"encoding/json"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"

	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
)

// TestVMRestartKeepsAddress: the VM's virt-launcher pod records its
// address under the VMI's name, in an endpoint no pod owns; the pod's DEL
// keeps it while the VM exists; the pod of the restarted VMI, on another
// node, gets the same address; the GC keeps it meanwhile.
func TestVMRestartKeepsAddress(t *testing.T) {
	e := newEnv(t, 1)
	a := e.vm("vm1", "virt-launcher-vm1-aaaaa", node1, nil)
	res, ip := e.add(a)
	if res.SkipConflictDetection {
		t.Error("a VM's first pod skips conflict detection; only a migration target may")
	}
	ep := e.endpoint("vm1")
	switch {
	case ep == nil:
		t.Fatal("no SpiderEndpoint named after the VMI")
	case len(ep.OwnerReferences) != 0:
		t.Errorf("endpoint owner references %v, want none (it outlives the pod)", ep.OwnerReferences)
	case ep.Status.OwnerControllerType != "VirtualMachineInstance" || ep.Status.OwnerControllerName != "vm1":
		t.Errorf("endpoint owner %s/%s, want VirtualMachineInstance/vm1", ep.Status.OwnerControllerType,
			ep.Status.OwnerControllerName)
	}
	if e.endpoint(a.Name) != nil {
		t.Error("an endpoint named after the pod was written too")
	}
	e.wantRecords(ip, a)

	// The VM restarts: its pod goes (DEL after the pod is gone), the VMI
	// is re-created, a new pod starts on the other node.
	e.deletePod(a)
	e.del(a)
	e.wantRecords(ip, a)
	if j := e.judge(a); j.Release || !j.KeptForSuccessor {
		t.Errorf("GC judgement of the stopped VM's record: %+v, want kept for its successor", j)
	}
	e.deleteKubevirt("VirtualMachineInstance", "vm1")
	vmi := e.kubevirt("VirtualMachineInstance", "vm1", true)
	b := e.launcher("virt-launcher-vm1-bbbbb", vmi, node2, nil)
	if _, got := e.add(b); got != ip {
		t.Fatalf("restarted VM got %s, want its address %s", got, ip)
	}
	e.wantRecords(ip, b)
	if ep := e.endpoint("vm1"); ep.Status.Current.UID != string(b.UID) || ep.Status.Current.Node != node2 {
		t.Errorf("endpoint current %s on %s, want the new pod on %s", ep.Status.Current.UID, ep.Status.Current.Node, node2)
	}
}

// TestVMKeepsAddressWhenSelectionFails: a restarted VM whose pod's pool
// selection fails now (its pool annotation names a pool that is gone, its
// routes annotation is malformed) still gets its recorded address, as
// Spiderpool's static retrieval gives it; a pod of a VM with no record
// fails on the same annotations.
func TestVMKeepsAddressWhenSelectionFails(t *testing.T) {
	e := newEnv(t, 6)
	a := e.vm("vm1", "virt-launcher-vm1-aaaaa", node1, nil)
	_, ip := e.add(a)
	e.deletePod(a)
	e.del(a)
	e.deleteKubevirt("VirtualMachineInstance", "vm1")
	vmi := e.kubevirt("VirtualMachineInstance", "vm1", true)
	broken := map[string]string{spiderpoolv2beta1.AnnoPodIPPool: `{"ipv4":["no-such-pool"]}`,
		spiderpoolv2beta1.AnnoPodRoutes: `not json`}
	b := e.launcher("virt-launcher-vm1-bbbbb", vmi, node2, broken)
	if _, got := e.add(b); got != ip {
		t.Fatalf("restarted VM got %s, want its address %s", got, ip)
	}
	e.wantRecords(ip, b)

	other := e.vm("vm2", "virt-launcher-vm2-aaaaa", node1, broken)
	if _, err := e.tryAdd(other); err == nil || !strings.Contains(err.Error(), spiderpoolv2beta1.AnnoPodRoutes) {
		t.Errorf("ADD of a VM without a record = %v, want the malformed annotation named", err)
	}
}

// TestLiveMigration: the target pod (annotation
// kubevirt.io/migrationJobName naming an existing migration) gets the
// VM's address while the source pod still runs, without a conflict probe;
// the endpoint names both until the source's DEL; the source's DEL frees
// nothing.
func TestLiveMigration(t *testing.T) {
	e := newEnv(t, 2)
	src, dst, ip := e.migration()
	res, got := e.add(dst)
	if got != ip {
		t.Fatalf("migration target got %s, want the VM's address %s", got, ip)
	}
	if !res.SkipConflictDetection {
		t.Error("migration target's answer asks for a conflict probe; the source still answers for the address")
	}
	e.wantRecords(ip, dst)
	ep := e.endpoint("vm1")
	wantSource(t, ep, string(src.UID), node1)
	if ep.Status.Current.UID != string(dst.UID) || ep.Status.Current.Node != node2 {
		t.Errorf("endpoint current %s on %s, want the target on %s", ep.Status.Current.UID, ep.Status.Current.Node, node2)
	}
	if _, again := e.add(dst); again != ip { // a retried ADD of the target
		t.Errorf("retried target ADD got %s, want %s", again, ip)
	}
	if _, err := e.agent(node2).Check(t.Context(), dst.Namespace, dst.Name, string(dst.UID), "eth0"); err != nil {
		t.Errorf("CNI CHECK of the target: %v", err)
	}

	// The migration completes: the source pod ends, its DEL comes.
	e.finish(src)
	e.del(src)
	e.wantRecords(ip, dst)
	ep = e.endpoint("vm1")
	if _, ok := ep.Annotations[spiderpoolv2beta1.AnnoEndpointMigrationSource]; ok {
		t.Errorf("migration source still noted after the source's DEL: %v", ep.Annotations)
	}
	if j := e.judge(dst); j.Release {
		t.Errorf("GC would release the migrated VM's address: %+v", j)
	}
}

// TestFailedMigrationHandsBack: when the target pod goes first (the
// migration failed), the address goes back to the source pod, which runs
// on.
func TestFailedMigrationHandsBack(t *testing.T) {
	e := newEnv(t, 3)
	src, dst, ip := e.migration()
	e.add(dst)
	e.deletePod(dst)
	e.del(dst)
	e.wantRecords(ip, src)
	ep := e.endpoint("vm1")
	if ep.Status.Current.UID != string(src.UID) || ep.Status.Current.Node != node1 {
		t.Errorf("endpoint current %s on %s, want the source back on %s", ep.Status.Current.UID, ep.Status.Current.Node, node1)
	}
	if _, ok := ep.Annotations[spiderpoolv2beta1.AnnoEndpointMigrationSource]; ok {
		t.Errorf("migration source still noted: %v", ep.Annotations)
	}
	if _, again := e.add(src); again != ip { // the source's sandbox re-checked
		t.Errorf("source ADD after the failed migration got %s, want %s", again, ip)
	}
}

// TestVMDeleteReleases: once the VMI and its VM are gone, the pod's DEL
// (after the pod itself is gone) frees the address and the endpoint, and
// another VM may get it.
func TestVMDeleteReleases(t *testing.T) {
	e := newEnv(t, 4)
	e.kubevirt("VirtualMachine", "vm1", false)
	vmi := e.kubevirt("VirtualMachineInstance", "vm1", true)
	a := e.launcher("virt-launcher-vm1-aaaaa", vmi, node1, nil)
	_, ip := e.add(a)
	e.deleteKubevirt("VirtualMachineInstance", "vm1")
	if j := e.judge(a); j.Release { // the VM still wants it
		t.Errorf("GC would release while the VM exists: %+v", j)
	}
	e.deleteKubevirt("VirtualMachine", "vm1")
	e.deletePod(a)
	if j := e.judge(a); !j.Release {
		t.Errorf("GC would keep the address of a deleted VM: %+v", j)
	}
	e.del(a)
	e.wantRecords(ip, nil)
	if ep := e.endpoint("vm1"); ep != nil {
		t.Errorf("endpoint of the deleted VM left: %+v", ep.Status)
	}
}

// TestSwitchOff: with enableKubevirtStaticIP off, a virt-launcher pod is
// an ordinary pod: its endpoint is its own, owned by it, and its DEL frees
// the address although the VM exists.
func TestSwitchOff(t *testing.T) {
	e := newEnv(t, 5)
	e.staticOff = true
	e.kubevirt("VirtualMachine", "vm1", false)
	vmi := e.kubevirt("VirtualMachineInstance", "vm1", true)
	a := e.launcher("virt-launcher-vm1-aaaaa", vmi, node1, nil)
	e.add(a)
	if e.endpoint("vm1") != nil {
		t.Error("endpoint named after the VMI with the switch off")
	}
	if ep := e.endpoint(a.Name); ep == nil || len(ep.OwnerReferences) != 1 {
		t.Fatalf("pod's own endpoint, owned by the pod, expected; got %+v", ep)
	}
	e.deletePod(a)
	e.del(a)
	if got := e.records(); len(got) != 0 {
		t.Errorf("records left after DEL with the switch off: %v", got)
	}
}

// migration starts VM vm1 with its source pod on node1 (returning its
// address) and a live migration to a target pod on node2, not added yet.
func (e *env) migration() (src, dst *corev1.Pod, ip string) {
	e.t.Helper()
	e.kubevirt("VirtualMachine", "vm1", false)
	vmi := e.kubevirt("VirtualMachineInstance", "vm1", true)
	src = e.launcher("virt-launcher-vm1-src00", vmi, node1, nil)
	_, ip = e.add(src)
	e.kubevirt("VirtualMachineInstanceMigration", "mig1", false)
	dst = e.launcher("virt-launcher-vm1-dst00", vmi, node2,
		map[string]string{spiderpoolv2beta1.AnnoKubevirtMigrationJobName: "mig1"})
	return src, dst, ip
}

// wantSource checks the endpoint names the migration source uid on node.
func wantSource(t *testing.T, ep interface{ GetAnnotations() map[string]string }, uid, node string) {
	t.Helper()
	v, ok := ep.GetAnnotations()[spiderpoolv2beta1.AnnoEndpointMigrationSource]
	if !ok {
		t.Fatalf("endpoint does not name the migration source (annotation %s)", spiderpoolv2beta1.AnnoEndpointMigrationSource)
	}
	var src struct{ PodUID, Node string }
	if err := json.Unmarshal([]byte(v), &src); err != nil || src.PodUID != uid || src.Node != node {
		t.Errorf("migration source %s, want podUid %s on %s", v, uid, node)
	}
}
