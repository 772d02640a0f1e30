// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package validation

import (
	"fmt"

	"k8s.io/apimachinery/pkg/api/equality"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/validation/field"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"

	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
)

// addFinalizer adds Spiderpool's finalizer; callers skip terminating
// objects, to which the API server refuses new finalizers.
func addFinalizer(obj client.Object) {
	controllerutil.AddFinalizer(obj, spiderpoolv2beta1.SpiderFinalizer)
}

// setLabel sets a label, creating the map when needed.
func setLabel(obj metav1.Object, key, value string) {
	labels := obj.GetLabels()
	if labels == nil {
		labels = map[string]string{}
	}
	labels[key] = value
	obj.SetLabels(labels)
}

// validateNotTerminating forbids changing the spec of an object that is
// being deleted. Spiderpool forbids every update while the finalizer is on;
// updates that leave the spec alone stay allowed here, so the finalizer and
// the foreground-deletion finalizer can still be removed.
func validateNotTerminating(obj metav1.Object, kind string) field.ErrorList {
	if obj.GetDeletionTimestamp() == nil {
		return nil
	}
	return field.ErrorList{field.Forbidden(specPath, fmt.Sprintf(
		"the %s is being deleted, so its spec cannot change; wait until it is gone and create it again", kind))}
}

// validateImmutableVersion checks that spec.ipVersion keeps its value once
// set (docs/reference/behaviour.md §6.1-§6.3). The CRD has no CEL rule for
// it, so this message, with both values, is the one users see.
func validateImmutableVersion(oldV, newV *int64, kind string) field.ErrorList {
	path := specPath.Child("ipVersion")
	switch {
	case oldV == nil || (newV != nil && *newV == *oldV):
		return nil
	case newV == nil:
		return field.ErrorList{field.Required(path, fmt.Sprintf(
			"field is immutable (was %d) and cannot be removed; set it back to %d", *oldV, *oldV))}
	}
	return field.ErrorList{field.Invalid(path, *newV, fmt.Sprintf(
		"field is immutable (was %d); set it back, or create a new %s for IPv%d instead", *oldV, kind, *newV))}
}

// validateImmutableSubnet checks that spec.subnet keeps its value, naming
// the old and the new one.
func validateImmutableSubnet(oldS, newS, kind string) field.ErrorList {
	if oldS == newS {
		return nil
	}
	return field.ErrorList{field.Invalid(specPath.Child("subnet"), newS, fmt.Sprintf(
		"field is immutable (was %q); set it back, or create a new %s instead", oldS, kind))}
}

// IsAutoPool reports whether pool was created by spiderpool-controller for
// an application (it carries the owner-application-name label), as
// Spiderpool decides it.
func IsAutoPool(pool *spiderpoolv2beta1.SpiderIPPool) bool {
	_, ok := pool.Labels[spiderpoolv2beta1.LabelOwnerApplicationName]
	return ok
}

// ControllerSubnet returns the name of the SpiderSubnet that controls pool
// (its controller owner reference), or "" when no subnet does.
func ControllerSubnet(pool *spiderpoolv2beta1.SpiderIPPool) string {
	ref := metav1.GetControllerOf(pool)
	if ref == nil || ref.Kind != spiderpoolv2beta1.KindSpiderSubnet {
		return ""
	}
	gv, err := schema.ParseGroupVersion(ref.APIVersion)
	if err != nil || gv.Group != spiderpoolv2beta1.GroupName {
		return ""
	}
	return ref.Name
}

// SpecUnchanged reports whether an update leaves a spec as it was, nil and
// empty lists being equal. The update rules accept such an update (of
// finalizers, labels, owner references) without looking further, so that a
// rule changed since, such as a family being disabled, never blocks the
// controller from removing a finalizer; callers may skip reading what the
// rules compare with.
func SpecUnchanged(oldSpec, newSpec any) bool {
	return equality.Semantic.DeepEqual(oldSpec, newSpec)
}
