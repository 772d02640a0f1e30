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

// reservedIPHooks are the SpiderReservedIP webhooks; they read nothing,
// since reserved IPs are not checked against other objects.
type reservedIPHooks struct {
	rules validation.Config
}

var (
	_ admission.CustomDefaulter = (*reservedIPHooks)(nil)
	_ admission.CustomValidator = (*reservedIPHooks)(nil)
)

// Default applies validation.DefaultReservedIP.
func (h *reservedIPHooks) Default(_ context.Context, obj runtime.Object) error {
	rip, err := as[*spiderpoolv2beta1.SpiderReservedIP](obj)
	if err == nil {
		validation.DefaultReservedIP(rip)
	}
	return err
}

// ValidateCreate applies validation.ValidateReservedIP.
func (h *reservedIPHooks) ValidateCreate(_ context.Context, obj runtime.Object) (admission.Warnings, error) {
	rip, err := as[*spiderpoolv2beta1.SpiderReservedIP](obj)
	if err != nil {
		return nil, err
	}
	return nil, invalid(spiderpoolv2beta1.KindSpiderReservedIP, rip.Name, validation.ValidateReservedIP(rip, h.rules))
}

// ValidateUpdate applies validation.ValidateReservedIPUpdate.
func (h *reservedIPHooks) ValidateUpdate(_ context.Context, oldObj, newObj runtime.Object) (admission.Warnings, error) {
	old, err := as[*spiderpoolv2beta1.SpiderReservedIP](oldObj)
	if err != nil {
		return nil, err
	}
	rip, err := as[*spiderpoolv2beta1.SpiderReservedIP](newObj)
	if err != nil {
		return nil, err
	}
	return nil, invalid(spiderpoolv2beta1.KindSpiderReservedIP, rip.Name, validation.ValidateReservedIPUpdate(old, rip, h.rules))
}

// ValidateDelete accepts every deletion.
func (h *reservedIPHooks) ValidateDelete(context.Context, runtime.Object) (admission.Warnings, error) {
	return nil, nil
}
