// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package webhook

import (
	"context"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/runtime"
	utilvalidation "k8s.io/apimachinery/pkg/util/validation"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/webhook/admission"

	nadv1 "github.com/spiderpool-go/spiderpool/api/k8scni/v1"
	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
	"github.com/spiderpool-go/spiderpool/internal/validation"
)

// multusConfigHooks are the SpiderMultusConfig webhooks.
type multusConfigHooks struct {
	reader client.Reader
}

var (
	_ admission.CustomDefaulter = (*multusConfigHooks)(nil)
	_ admission.CustomValidator = (*multusConfigHooks)(nil)
)

// Default applies validation.DefaultMultusConfig.
func (h *multusConfigHooks) Default(_ context.Context, obj runtime.Object) error {
	smc, err := as[*spiderpoolv2beta1.SpiderMultusConfig](obj)
	if err == nil {
		validation.DefaultMultusConfig(smc)
	}
	return err
}

// ValidateCreate applies validation.ValidateMultusConfig.
func (h *multusConfigHooks) ValidateCreate(ctx context.Context, obj runtime.Object) (admission.Warnings, error) {
	smc, err := as[*spiderpoolv2beta1.SpiderMultusConfig](obj)
	if err != nil {
		return nil, err
	}
	env, err := h.env(ctx, smc)
	if err != nil {
		return nil, err
	}
	return validation.MultusConfigWarnings(smc), invalid(spiderpoolv2beta1.KindSpiderMultusConfig, smc.Name,
		validation.ValidateMultusConfig(smc, env))
}

// ValidateUpdate applies validation.ValidateMultusConfigUpdate.
func (h *multusConfigHooks) ValidateUpdate(ctx context.Context, oldObj, newObj runtime.Object) (admission.Warnings, error) {
	old, err := as[*spiderpoolv2beta1.SpiderMultusConfig](oldObj)
	if err != nil {
		return nil, err
	}
	smc, err := as[*spiderpoolv2beta1.SpiderMultusConfig](newObj)
	if err != nil {
		return nil, err
	}
	env, err := h.env(ctx, smc)
	if err != nil {
		return nil, err
	}
	return validation.MultusConfigWarnings(smc), invalid(spiderpoolv2beta1.KindSpiderMultusConfig, smc.Name,
		validation.ValidateMultusConfigUpdate(old, smc, env))
}

// ValidateDelete accepts every deletion.
func (h *multusConfigHooks) ValidateDelete(context.Context, runtime.Object) (admission.Warnings, error) {
	return nil, nil
}

// env reads the SpiderMultusConfigs of the namespace and the
// NetworkAttachmentDefinition smc would write. A cluster without the NAD
// CRD has no NAD to collide with.
func (h *multusConfigHooks) env(ctx context.Context, smc *spiderpoolv2beta1.SpiderMultusConfig) (validation.MultusConfigEnv, error) {
	var env validation.MultusConfigEnv
	var others spiderpoolv2beta1.SpiderMultusConfigList
	if err := h.reader.List(ctx, &others, client.InNamespace(smc.Namespace)); err != nil {
		return env, readFailed("SpiderMultusConfigs", err)
	}
	env.Others = others.Items
	key := client.ObjectKey{Namespace: smc.Namespace, Name: validation.NADName(smc)}
	if len(utilvalidation.IsDNS1123Subdomain(key.Name)) > 0 {
		return env, nil // not a name a NAD can have; the rules report it
	}
	var nad nadv1.NetworkAttachmentDefinition
	switch err := h.reader.Get(ctx, key, &nad); {
	case apierrors.IsNotFound(err) || meta.IsNoMatchError(err):
	case err != nil:
		return env, readFailed("NetworkAttachmentDefinition "+key.String(), err)
	default:
		env.NAD = &nad
	}
	return env, nil
}
