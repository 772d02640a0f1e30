// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package webhook

import (
	"context"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/validation/field"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/webhook/admission"

	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
	"github.com/spiderpool-go/spiderpool/internal/validation"
)

// ipPoolResource is the resource name in API errors.
const ipPoolResource = "spiderippools"

// ipPoolHooks are the SpiderIPPool webhooks.
type ipPoolHooks struct {
	reader          client.Reader
	rules           validation.Config
	protectDeletion bool
	// recent are the pools admitted a moment ago, maybe not stored yet.
	recent admitted
}

var (
	_ admission.CustomDefaulter = (*ipPoolHooks)(nil)
	_ admission.CustomValidator = (*ipPoolHooks)(nil)
)

// Default applies validation.DefaultIPPool and, with the subnet feature
// on, makes the pool's SpiderSubnet its controller.
func (h *ipPoolHooks) Default(ctx context.Context, obj runtime.Object) error {
	pool, err := as[*spiderpoolv2beta1.SpiderIPPool](obj)
	if err != nil {
		return err
	}
	validation.DefaultIPPool(pool)
	label, ok := pool.Labels[spiderpoolv2beta1.LabelIPPoolCIDR]
	if !h.rules.EnableSpiderSubnet || !ok || pool.DeletionTimestamp != nil {
		return nil
	}
	var subnets spiderpoolv2beta1.SpiderSubnetList
	if err := h.reader.List(ctx, &subnets, client.MatchingLabels{spiderpoolv2beta1.LabelSubnetCIDR: label}); err != nil {
		return readFailed("SpiderSubnets", err)
	}
	if subnet := validation.SubnetFor(pool, subnets.Items); subnet != nil {
		validation.InheritFromSubnet(pool, subnet)
	}
	return nil
}

// ValidateCreate applies validation.ValidateIPPool; a duplicate name is
// AlreadyExists.
func (h *ipPoolHooks) ValidateCreate(ctx context.Context, obj runtime.Object) (admission.Warnings, error) {
	pool, err := as[*spiderpoolv2beta1.SpiderIPPool](obj)
	if err != nil {
		return nil, err
	}
	env, err := h.env(ctx, pool)
	if err != nil {
		return nil, err
	}
	for i := range env.Pools {
		if env.Pools[i].Name == pool.Name {
			return nil, alreadyExists(ipPoolResource, pool.Name)
		}
	}
	env.Pools = h.recent.with(env.Pools)
	return nil, h.admit(ctx, pool, validation.ValidateIPPool(pool, env))
}

// admit turns errs into the answer, and remembers an admitted pool for the
// overlap checks of the next requests.
func (h *ipPoolHooks) admit(ctx context.Context, pool *spiderpoolv2beta1.SpiderIPPool, errs field.ErrorList) error {
	if err := invalid(spiderpoolv2beta1.KindSpiderIPPool, pool.Name, errs); err != nil {
		return err
	}
	h.recent.add(ctx, pool)
	return nil
}

// ValidateUpdate applies validation.ValidateIPPoolUpdate; an update that
// leaves the spec alone reads nothing.
func (h *ipPoolHooks) ValidateUpdate(ctx context.Context, oldObj, newObj runtime.Object) (admission.Warnings, error) {
	old, err := as[*spiderpoolv2beta1.SpiderIPPool](oldObj)
	if err != nil {
		return nil, err
	}
	pool, err := as[*spiderpoolv2beta1.SpiderIPPool](newObj)
	if err != nil || validation.SpecUnchanged(old.Spec, pool.Spec) {
		return nil, err
	}
	env, err := h.env(ctx, pool)
	if err != nil {
		return nil, err
	}
	env.Pools = h.recent.with(env.Pools)
	return nil, h.admit(ctx, pool, validation.ValidateIPPoolUpdate(old, pool, env))
}

// ValidateDelete refuses to delete a pool with allocated IPs when
// enableValidatingResourcesDeletedWebhook is on.
func (h *ipPoolHooks) ValidateDelete(_ context.Context, obj runtime.Object) (admission.Warnings, error) {
	pool, err := as[*spiderpoolv2beta1.SpiderIPPool](obj)
	if err != nil || !h.protectDeletion {
		return nil, err
	}
	if err := validation.ValidateIPPoolDelete(pool); err != nil {
		return nil, forbidden(ipPoolResource, pool.Name, err)
	}
	return nil, nil
}

// env reads what pool is checked against: every pool and, with the subnet
// feature on, the subnet that controls it.
func (h *ipPoolHooks) env(ctx context.Context, pool *spiderpoolv2beta1.SpiderIPPool) (validation.IPPoolEnv, error) {
	env := validation.IPPoolEnv{Config: h.rules}
	var pools spiderpoolv2beta1.SpiderIPPoolList
	if err := h.reader.List(ctx, &pools); err != nil {
		return env, readFailed("SpiderIPPools", err)
	}
	env.Pools = pools.Items
	name := validation.ControllerSubnet(pool)
	if !h.rules.EnableSpiderSubnet || name == "" {
		return env, nil
	}
	var subnet spiderpoolv2beta1.SpiderSubnet
	switch err := h.reader.Get(ctx, client.ObjectKey{Name: name}, &subnet); {
	case apierrors.IsNotFound(err): // gone: nothing to stay inside
	case err != nil:
		return env, readFailed("SpiderSubnet "+name, err)
	default:
		env.Subnet = &subnet
	}
	return env, nil
}
