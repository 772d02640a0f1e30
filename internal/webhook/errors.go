// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package webhook

import (
	"fmt"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/validation/field"

	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
)

// invalid returns the API's Invalid status for errs, whose causes keep
// their field paths, or nil when errs is empty.
func invalid(kind, name string, errs field.ErrorList) error {
	if len(errs) == 0 {
		return nil
	}
	return apierrors.NewInvalid(spiderpoolv2beta1.GroupVersion.WithKind(kind).GroupKind(), name, errs)
}

// forbidden returns the API's Forbidden status for an operation on the
// named object of resource (e.g. "spiderippools").
func forbidden(resource, name string, err error) error {
	return apierrors.NewForbidden(spiderpoolv2beta1.GroupVersion.WithResource(resource).GroupResource(), name, err)
}

// alreadyExists returns the API's AlreadyExists status, which pools and
// subnets return for a duplicate name before any other rule (Spiderpool
// issue #3321).
func alreadyExists(resource, name string) error {
	return apierrors.NewAlreadyExists(spiderpoolv2beta1.GroupVersion.WithResource(resource).GroupResource(), name)
}

// readFailed reports that the objects a review depends on could not be
// read: an internal error, since the object itself may be fine.
func readFailed(what string, err error) error {
	return apierrors.NewInternalError(fmt.Errorf("read %s: %w", what, err))
}

// as returns obj as a T, or a BadRequest error when it is something else.
func as[T runtime.Object](obj runtime.Object) (T, error) {
	t, ok := obj.(T)
	if !ok {
		return t, apierrors.NewBadRequest(fmt.Sprintf("expected a %T, got a %T", t, obj))
	}
	return t, nil
}
