// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package gc

import (
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
	kindStatefulSet = "StatefulSet"
	kindVMI         = "VirtualMachineInstance"
)

// KubeVirt kinds whose existence keeps a VM's addresses
// (docs/reference/behaviour.md §3.4 step 6). They are read as metadata only,
// so no KubeVirt types are needed.
var (
	gvkVMI = schema.GroupVersionKind{Group: "kubevirt.io", Version: "v1", Kind: kindVMI}
	gvkVM  = schema.GroupVersionKind{Group: "kubevirt.io", Version: "v1", Kind: "VirtualMachine"}
)

// static says which rule may keep a dead incarnation's addresses for the
// next one of the same name.
type static uint8

const (
	// notStatic: nothing is kept for a successor.
	notStatic static = iota
	// staticStatefulSet: a StatefulSet pod whose ordinal is in range.
	staticStatefulSet
	// staticKubevirt: a KubeVirt VM that is still wanted.
	staticKubevirt
)

// podStatic returns the rule of a pod and the name of its StatefulSet.
func (o *Options) podStatic(pod *corev1.Pod) (static, string) {
	ref := metav1.GetControllerOf(pod)
	if o.EnableStatefulSet && ref != nil && ref.Kind == kindStatefulSet && strings.HasPrefix(ref.APIVersion, "apps/") {
		return staticStatefulSet, ref.Name
	}
	return notStatic, ""
}

// endpointStatic returns the rule of an endpoint, from its recorded owner.
func (o *Options) endpointStatic(ep *spiderpoolv2beta1.SpiderEndpoint) (static, string) {
	switch ep.Status.OwnerControllerType {
	case kindStatefulSet:
		if o.EnableStatefulSet {
			return staticStatefulSet, ep.Status.OwnerControllerName
		}
	case kindVMI:
		if o.EnableKubevirtStaticIP {
			return staticKubevirt, ep.Name
		}
	}
	return notStatic, ""
}

// ordinal parses the ordinal of a StatefulSet pod named
// "<statefulset>-<ordinal>".
func ordinal(podName, statefulSet string) (int, bool) {
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

// validStatefulSetPod is Spiderpool's IsValidStatefulSetPod
// (docs/reference/behaviour.md §3.4 step 5): the StatefulSet exists and the
// pod's ordinal lies in [start, start+replicas).
func validStatefulSetPod(ctx context.Context, r client.Reader, ns, podName, statefulSet string) (bool, error) {
	n, ok := ordinal(podName, statefulSet)
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
	replicas, start := 1, 0
	if sts.Spec.Replicas != nil {
		replicas = int(*sts.Spec.Replicas)
	}
	if sts.Spec.Ordinals != nil {
		start = int(sts.Spec.Ordinals.Start)
	}
	return n >= start && n < start+replicas, nil
}

// validVM is Spiderpool's IsValidVMPod (docs/reference/behaviour.md §3.4
// step 6) for the VMI ns/name: a VMI that is not terminating is valid; a
// terminating VMI that no VM controls is not; otherwise the VM must exist
// and not be terminating. Without the KubeVirt API every VM is gone.
func validVM(ctx context.Context, r client.Reader, ns, name string) (bool, error) {
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
