// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package workload

import (
	"cmp"
	"context"
	"fmt"
	"strconv"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/controller-runtime/pkg/client"

	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
)

// Owner kinds recorded in SpiderEndpoint status.ownerControllerType.
const (
	KindStatefulSet = "StatefulSet"
	KindVMI         = "VirtualMachineInstance"
)

// KubeVirt kinds whose existence keeps a VM's addresses. They are read as
// metadata only, so no KubeVirt types are needed.
var (
	gvkVMI  = schema.GroupVersionKind{Group: "kubevirt.io", Version: "v1", Kind: KindVMI}
	gvkVM   = schema.GroupVersionKind{Group: "kubevirt.io", Version: "v1", Kind: "VirtualMachine"}
	gvkVMIM = schema.GroupVersionKind{Group: "kubevirt.io", Version: "v1", Kind: "VirtualMachineInstanceMigration"}
)

// Static says which rule may keep a dead holder's addresses for the next
// pod of the same name.
type Static uint8

const (
	// NotStatic keeps nothing for a successor.
	NotStatic Static = iota
	// StaticStatefulSet keeps a StatefulSet pod's addresses while its ordinal is wanted.
	StaticStatefulSet
	// StaticKubevirt keeps a KubeVirt VM's addresses while it is wanted.
	StaticKubevirt
)

// Rules are the ConfigMap switches that enable the static rules.
type Rules struct {
	// EnableStatefulSet is enableStatefulSet.
	EnableStatefulSet bool
	// EnableKubevirtStaticIP is enableKubevirtStaticIP.
	EnableKubevirtStaticIP bool
}

// OfPod returns the rule of a pod and the name of its owner (the
// StatefulSet, or the VMI of a virt-launcher pod: its records and
// endpoint are named after the VMI).
func (r Rules) OfPod(pod *corev1.Pod) (Static, string) {
	if name, ok := StatefulSetOf(pod); ok && r.EnableStatefulSet {
		return StaticStatefulSet, name
	}
	if name, ok := VMIOf(pod); ok && r.EnableKubevirtStaticIP {
		return StaticKubevirt, name
	}
	return NotStatic, ""
}

// RecordName is the name under which pod's addresses are recorded (pool
// records' "<ns>/<name>" and the SpiderEndpoint): the VMI's for a
// virt-launcher pod under rules r, else the pod's.
func (r Rules) RecordName(pod *corev1.Pod) string {
	if rule, vmi := r.OfPod(pod); rule == StaticKubevirt {
		return vmi
	}
	return pod.Name
}

// OfEndpoint returns the rule of an endpoint, from its recorded owner, and
// the owner's name (the StatefulSet, or the VMI, named like the endpoint).
func (r Rules) OfEndpoint(ep *spiderpoolv2beta1.SpiderEndpoint) (Static, string) {
	switch ep.Status.OwnerControllerType {
	case KindStatefulSet:
		if r.EnableStatefulSet {
			return StaticStatefulSet, ep.Status.OwnerControllerName
		}
	case KindVMI:
		if r.EnableKubevirtStaticIP {
			return StaticKubevirt, ep.Name
		}
	}
	return NotStatic, ""
}

// Wanted reports whether rule s keeps the addresses of pod ns/name, whose
// owner (StatefulSet) is owner, for a successor. Owners are read from r,
// which should be the API server when the answer leads to a release. For
// a KubeVirt VM, owner is the VMI (name when empty).
func Wanted(ctx context.Context, r client.Reader, s Static, ns, name, owner string) (bool, error) {
	switch s {
	case StaticStatefulSet:
		return StatefulSetWants(ctx, r, ns, name, owner)
	case StaticKubevirt:
		return VMWanted(ctx, r, ns, cmp.Or(owner, name))
	}
	return false, nil
}

// StatefulSetOf returns the name of the StatefulSet controlling pod.
func StatefulSetOf(pod *corev1.Pod) (string, bool) {
	ref := metav1.GetControllerOf(pod)
	if ref != nil && ref.Kind == KindStatefulSet && strings.HasPrefix(ref.APIVersion, "apps/") {
		return ref.Name, true
	}
	return "", false
}

// VMIOf returns the name of the KubeVirt VMI controlling pod, a
// virt-launcher pod.
func VMIOf(pod *corev1.Pod) (string, bool) {
	ref := metav1.GetControllerOf(pod)
	if ref != nil && ref.Kind == KindVMI && strings.HasPrefix(ref.APIVersion, "kubevirt.io/") {
		return ref.Name, true
	}
	return "", false
}

// Ordinal parses the ordinal of a StatefulSet pod named
// "<statefulset>-<ordinal>".
func Ordinal(podName, statefulSet string) (int, bool) {
	suffix, ok := strings.CutPrefix(podName, statefulSet+"-")
	if !ok || suffix == "" || strings.TrimLeft(suffix, "0123456789") != "" {
		return 0, false
	}
	n, err := strconv.Atoi(suffix)
	if err != nil {
		return 0, false // out of range
	}
	return n, true
}

// StatefulSetWants reports whether the StatefulSet still wants the pod
// podName: it exists, is not being deleted, and the pod's ordinal lies in
// [start, start+replicas). A StatefulSet being deleted (foreground
// deletion keeps the object while its pods go) wants none.
func StatefulSetWants(ctx context.Context, r client.Reader, ns, podName, statefulSet string) (bool, error) {
	n, ok := Ordinal(podName, statefulSet)
	if !ok {
		return false, nil
	}
	sts := &appsv1.StatefulSet{}
	err := r.Get(ctx, client.ObjectKey{Namespace: ns, Name: statefulSet}, sts)
	if apierrors.IsNotFound(err) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("read StatefulSet %s/%s: %w", ns, statefulSet, err)
	}
	return OrdinalWanted(sts, n), nil
}

// OrdinalWanted reports whether sts wants ordinal n.
func OrdinalWanted(sts *appsv1.StatefulSet, n int) bool {
	if sts.DeletionTimestamp != nil {
		return false
	}
	replicas, start := 1, 0
	if sts.Spec.Replicas != nil {
		replicas = int(*sts.Spec.Replicas)
	}
	if sts.Spec.Ordinals != nil {
		start = int(sts.Spec.Ordinals.Start)
	}
	return n >= start && n < start+replicas
}

// VMWanted is the rule for the VMI ns/name: a VMI that is not terminating
// is wanted; a terminating VMI that no VM controls is not; otherwise the
// VM must exist and not be terminating. Without the KubeVirt API no VM is
// wanted.
func VMWanted(ctx context.Context, r client.Reader, ns, name string) (bool, error) {
	vmi, err := getMeta(ctx, r, gvkVMI, ns, name)
	if err != nil {
		return false, err
	}
	if vmi != nil && vmi.DeletionTimestamp == nil {
		return true, nil
	}
	if vmi != nil && metav1.GetControllerOf(vmi) == nil {
		return false, nil
	}
	vm, err := getMeta(ctx, r, gvkVM, ns, name)
	return vm != nil && vm.DeletionTimestamp == nil, err
}

// Migrating reports whether pod is the target of a live migration that
// is under way: it names a VirtualMachineInstanceMigration (annotation
// kubevirt.io/migrationJobName) that exists.
func Migrating(ctx context.Context, r client.Reader, pod *corev1.Pod) (bool, error) {
	job := pod.Annotations[spiderpoolv2beta1.AnnoKubevirtMigrationJobName]
	if job == "" {
		return false, nil
	}
	vmim, err := getMeta(ctx, r, gvkVMIM, pod.Namespace, job)
	return vmim != nil, err
}

// getMeta reads the metadata of gvk ns/name, or returns nil when it does
// not exist or the API does not serve the kind.
func getMeta(ctx context.Context, r client.Reader, gvk schema.GroupVersionKind, ns, name string) (*metav1.PartialObjectMetadata, error) {
	obj := &metav1.PartialObjectMetadata{}
	obj.SetGroupVersionKind(gvk)
	err := r.Get(ctx, client.ObjectKey{Namespace: ns, Name: name}, obj)
	switch {
	case apierrors.IsNotFound(err) || meta.IsNoMatchError(err):
		return nil, nil
	case err != nil:
		return nil, fmt.Errorf("read %s %s/%s: %w", gvk.Kind, ns, name, err)
	}
	return obj, nil
}
