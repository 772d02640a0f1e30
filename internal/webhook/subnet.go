// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package webhook

import (
	"context"

	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/webhook/admission"

	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
	"github.com/spiderpool-go/spiderpool/internal/validation"
)

// subnetResource is the resource name in API errors.
const subnetResource = "spidersubnets"

// subnetHooks are the SpiderSubnet webhooks.
type subnetHooks struct {
	reader          client.Reader
	rules           validation.Config
	protectDeletion bool
}

var (
	_ admission.CustomDefaulter = (*subnetHooks)(nil)
	_ admission.CustomValidator = (*subnetHooks)(nil)
)

// Default applies validation.DefaultSubnet.
func (h *subnetHooks) Default(_ context.Context, obj runtime.Object) error {
	subnet, err := as[*spiderpoolv2beta1.SpiderSubnet](obj)
	if err == nil {
		validation.DefaultSubnet(subnet)
	}
	return err
}

// ValidateCreate applies validation.ValidateSubnet; a duplicate name is
// AlreadyExists.
func (h *subnetHooks) ValidateCreate(ctx context.Context, obj runtime.Object) (admission.Warnings, error) {
	subnet, err := as[*spiderpoolv2beta1.SpiderSubnet](obj)
	if err != nil {
		return nil, err
	}
	env, err := h.env(ctx, true)
	if err != nil {
		return nil, err
	}
	for i := range env.Subnets {
		if env.Subnets[i].Name == subnet.Name {
			return nil, alreadyExists(subnetResource, subnet.Name)
		}
	}
	return nil, invalid(spiderpoolv2beta1.KindSpiderSubnet, subnet.Name, validation.ValidateSubnet(subnet, env))
}

// ValidateUpdate applies validation.ValidateSubnetUpdate; an update that
// leaves the spec alone reads nothing.
func (h *subnetHooks) ValidateUpdate(ctx context.Context, oldObj, newObj runtime.Object) (admission.Warnings, error) {
	old, err := as[*spiderpoolv2beta1.SpiderSubnet](oldObj)
	if err != nil {
		return nil, err
	}
	subnet, err := as[*spiderpoolv2beta1.SpiderSubnet](newObj)
	if err != nil || validation.SpecUnchanged(old.Spec, subnet.Spec) {
		return nil, err
	}
	env, err := h.env(ctx, false)
	if err != nil {
		return nil, err
	}
	return nil, invalid(spiderpoolv2beta1.KindSpiderSubnet, subnet.Name, validation.ValidateSubnetUpdate(old, subnet, env))
}

// ValidateDelete refuses to delete a subnet with IPs pre-allocated to
// pools when enableValidatingResourcesDeletedWebhook is on.
func (h *subnetHooks) ValidateDelete(_ context.Context, obj runtime.Object) (admission.Warnings, error) {
	subnet, err := as[*spiderpoolv2beta1.SpiderSubnet](obj)
	if err != nil || !h.protectDeletion {
		return nil, err
	}
	if err := validation.ValidateSubnetDelete(subnet); err != nil {
		return nil, forbidden(subnetResource, subnet.Name, err)
	}
	return nil, nil
}

// env reads every subnet and, on create, every pool.
func (h *subnetHooks) env(ctx context.Context, withPools bool) (validation.SubnetEnv, error) {
	env := validation.SubnetEnv{Config: h.rules}
	var subnets spiderpoolv2beta1.SpiderSubnetList
	if err := h.reader.List(ctx, &subnets); err != nil {
		return env, readFailed("SpiderSubnets", err)
	}
	env.Subnets = subnets.Items
	if !withPools {
		return env, nil
	}
	var pools spiderpoolv2beta1.SpiderIPPoolList
	if err := h.reader.List(ctx, &pools); err != nil {
		return env, readFailed("SpiderIPPools", err)
	}
	env.Pools = pools.Items
	return env, nil
}
