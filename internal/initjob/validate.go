// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package initjob

import (
	"errors"
	"fmt"

	"k8s.io/apimachinery/pkg/api/validation/path"
	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"

	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
	"github.com/spiderpool-go/spiderpool/internal/config"
	rules "github.com/spiderpool-go/spiderpool/internal/validation"
)

// InputError is a default object, built from the environment, that the API
// server or the admission webhooks would refuse. It names the variable to
// fix. errors.Is matches config.ErrInvalidEnv.
type InputError struct {
	// Env is the variable the offending field comes from.
	Env string
	// Object names the object: SpiderIPPool "default-v4-ippool".
	Object string
	// Err is the broken rule, with the field path.
	Err *field.Error
}

// Error implements error.
func (e *InputError) Error() string {
	return fmt.Sprintf("env %s: %s would be refused: %v", e.Env, e.Object, e.Err)
}

// Unwrap returns config.ErrInvalidEnv and the field error.
func (e *InputError) Unwrap() []error { return []error{config.ErrInvalidEnv, e.Err} }

// validateAll checks every object with the webhooks' rules, applied to a
// defaulted copy as the mutating webhook would first, and joins an
// [*InputError] per broken rule. subnetsOn is the subnet feature, which
// makes a pool check against its subnet.
func validateAll(objs []desired, subnetsOn bool) error {
	cfg := rules.Config{EnableIPv4: true, EnableIPv6: true, EnableSpiderSubnet: subnetsOn}
	subnets := map[string]*spiderpoolv2beta1.SpiderSubnet{}
	var errs []error
	for _, d := range objs {
		fieldErrs := validateMeta(d)
		switch o := d.obj.(type) {
		case *spiderpoolv2beta1.SpiderCoordinator:
			c := o.DeepCopy()
			rules.DefaultCoordinator(c)
			fieldErrs = append(fieldErrs, rules.ValidateCoordinator(c)...)
		case *spiderpoolv2beta1.SpiderSubnet:
			s := o.DeepCopy()
			rules.DefaultSubnet(s)
			subnets[s.Spec.Subnet] = s
			fieldErrs = append(fieldErrs, rules.ValidateSubnet(s, rules.SubnetEnv{Config: cfg})...)
		case *spiderpoolv2beta1.SpiderIPPool:
			fieldErrs = append(fieldErrs, validatePool(o, cfg, subnets[o.Spec.Subnet])...)
		case *spiderpoolv2beta1.SpiderMultusConfig:
			smc := o.DeepCopy()
			rules.DefaultMultusConfig(smc)
			fieldErrs = append(fieldErrs, rules.ValidateMultusConfig(smc, rules.MultusConfigEnv{})...)
		}
		errs = append(errs, inputErrors(d, fieldErrs)...)
	}
	return errors.Join(errs...)
}

// validatePool checks a pool as the webhooks do: defaulted, owned by its
// subnet when there is one.
func validatePool(o *spiderpoolv2beta1.SpiderIPPool, cfg rules.Config, subnet *spiderpoolv2beta1.SpiderSubnet) field.ErrorList {
	p := o.DeepCopy()
	rules.DefaultIPPool(p)
	if subnet != nil {
		rules.InheritFromSubnet(p, subnet)
	}
	return rules.ValidateIPPool(p, rules.IPPoolEnv{Config: cfg, Subnet: subnet})
}

// validateMeta checks what the API server checks first: the name, and the
// namespace of a namespaced object.
func validateMeta(d desired) field.ErrorList {
	var errs field.ErrorList
	meta := field.NewPath("metadata")
	name := d.obj.GetName()
	msgs := validation.IsDNS1123Subdomain(name)
	if len(msgs) == 0 {
		msgs = path.IsValidPathSegmentName(name)
	}
	for _, msg := range msgs {
		errs = append(errs, field.Invalid(meta.Child("name"), name, msg))
	}
	if _, ok := d.obj.(*spiderpoolv2beta1.SpiderMultusConfig); ok {
		ns := d.obj.GetNamespace()
		for _, msg := range validation.IsDNS1123Label(ns) {
			errs = append(errs, field.Invalid(meta.Child("namespace"), ns, msg))
		}
	}
	return errs
}

// inputErrors turns the field errors of d into [*InputError]s.
func inputErrors(d desired, errs field.ErrorList) []error {
	out := make([]error, 0, len(errs))
	for _, e := range errs {
		out = append(out, &InputError{
			Env:    d.vars.of(e.Field),
			Object: fmt.Sprintf("%s %q", d.kind, d.obj.GetName()),
			Err:    e,
		})
	}
	return out
}
