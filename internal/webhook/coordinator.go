// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package webhook

import (
	"context"

	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/controller-runtime/pkg/webhook/admission"

	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
	"github.com/spiderpool-go/spiderpool/internal/validation"
)

// coordinatorHooks are the SpiderCoordinator webhooks.
type coordinatorHooks struct{}

var (
	_ admission.CustomDefaulter = coordinatorHooks{}
	_ admission.CustomValidator = coordinatorHooks{}
)

// Default applies validation.DefaultCoordinator.
func (coordinatorHooks) Default(_ context.Context, obj runtime.Object) error {
	c, err := as[*spiderpoolv2beta1.SpiderCoordinator](obj)
	if err == nil {
		validation.DefaultCoordinator(c)
	}
	return err
}

// ValidateCreate applies validation.ValidateCoordinator.
func (coordinatorHooks) ValidateCreate(_ context.Context, obj runtime.Object) (admission.Warnings, error) {
	c, err := as[*spiderpoolv2beta1.SpiderCoordinator](obj)
	if err != nil {
		return nil, err
	}
	return nil, invalid(spiderpoolv2beta1.KindSpiderCoordinator, c.Name, validation.ValidateCoordinator(c))
}

// ValidateUpdate applies validation.ValidateCoordinatorUpdate.
func (coordinatorHooks) ValidateUpdate(_ context.Context, oldObj, newObj runtime.Object) (admission.Warnings, error) {
	old, err := as[*spiderpoolv2beta1.SpiderCoordinator](oldObj)
	if err != nil {
		return nil, err
	}
	c, err := as[*spiderpoolv2beta1.SpiderCoordinator](newObj)
	if err != nil {
		return nil, err
	}
	return nil, invalid(spiderpoolv2beta1.KindSpiderCoordinator, c.Name, validation.ValidateCoordinatorUpdate(old, c))
}

// ValidateDelete accepts every deletion.
func (coordinatorHooks) ValidateDelete(context.Context, runtime.Object) (admission.Warnings, error) {
	return nil, nil
}
