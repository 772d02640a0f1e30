// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package validation

import (
	"fmt"
	"slices"

	"k8s.io/apimachinery/pkg/api/equality"
	metav1validation "k8s.io/apimachinery/pkg/apis/meta/v1/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"

	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
)

// IPPoolEnv holds what a SpiderIPPool is checked against.
type IPPoolEnv struct {
	// Config holds the cluster switches.
	Config Config
	// Pools are the pools of the cluster; the one under review, found by
	// name, is skipped.
	Pools []spiderpoolv2beta1.SpiderIPPool
	// Subnet is the SpiderSubnet named by ControllerSubnet(pool), or nil
	// when there is none. It is only used when Config.EnableSpiderSubnet.
	Subnet *spiderpoolv2beta1.SpiderSubnet
}

// autoPoolAffinityKeys are the only matchLabels an auto-created pool may
// have: they name its application.
var autoPoolAffinityKeys = []string{
	spiderpoolv2beta1.AppLabelAPIGroup, spiderpoolv2beta1.AppLabelAPIVersion, spiderpoolv2beta1.AppLabelKind,
	spiderpoolv2beta1.AppLabelNamespace, spiderpoolv2beta1.AppLabelName,
}

// ValidateIPPool checks a pool being created
// (docs/reference/behaviour.md §6.1, §5.7).
func ValidateIPPool(pool *spiderpoolv2beta1.SpiderIPPool, env IPPoolEnv) field.ErrorList {
	_, errs := validateIPPool(pool, env)
	return errs
}

// ValidateIPPoolUpdate checks an update from old to pool: the create rules,
// immutable ipVersion and subnet, no spec change while terminating, and
// every allocated IP still handed out by the pool. An update that leaves
// the spec alone is accepted.
func ValidateIPPoolUpdate(old, pool *spiderpoolv2beta1.SpiderIPPool, env IPPoolEnv) field.ErrorList {
	if SpecUnchanged(old.Spec, pool.Spec) {
		return nil
	}
	kind := spiderpoolv2beta1.KindSpiderIPPool
	errs := validateNotTerminating(pool, kind)
	errs = append(errs, validateImmutableVersion(old.Spec.IPVersion, pool.Spec.IPVersion, kind)...)
	errs = append(errs, validateImmutableSubnet(old.Spec.Subnet, pool.Spec.Subnet, kind)...)
	p, specErrs := validateIPPool(pool, env)
	errs = append(errs, specErrs...)
	if p != nil {
		errs = append(errs, validateAllocatedKept(old, p)...)
	}
	return append(errs, validateAutoPoolAffinityKept(old, pool)...)
}

// validateAutoPoolAffinityKept refuses a change to an auto-created pool's
// spec.podAffinity: spiderpool-controller derives it from the pool's
// application, and the agent trusts it to name that application.
func validateAutoPoolAffinityKept(old, pool *spiderpoolv2beta1.SpiderIPPool) field.ErrorList {
	if !IsAutoPool(pool) || equality.Semantic.DeepEqual(old.Spec.PodAffinity, pool.Spec.PodAffinity) {
		return nil
	}
	return field.ErrorList{field.Forbidden(specPath.Child("podAffinity"), fmt.Sprintf(
		"%s is auto-created for %s %s/%s and spiderpool-controller sets its podAffinity; leave it as it was, "+
			"or give the application other ipam.spidernet.io/subnet annotations to get another pool",
		describePool(pool.Name), pool.Labels[spiderpoolv2beta1.LabelOwnerApplicationKind],
		pool.Labels[spiderpoolv2beta1.LabelOwnerApplicationNamespace], pool.Labels[spiderpoolv2beta1.LabelOwnerApplicationName]))}
}

// validateIPPool runs the create rules and returns the parsed spec, nil
// when ipVersion or subnet is unusable.
func validateIPPool(pool *spiderpoolv2beta1.SpiderIPPool, env IPPoolEnv) (*parsedSpec, field.ErrorList) {
	p, errs := validateAddressSpec(poolAddressSpec(&pool.Spec), env.Config)
	errs = append(errs, validateAffinities(pool)...)
	if p == nil {
		return nil, errs
	}
	errs = append(errs, validatePoolSubnetOverlaps(pool.Name, p, env.Pools)...)
	errs = append(errs, validatePoolIPOverlaps(pool.Name, p, env.Pools)...)
	if env.Config.EnableSpiderSubnet && env.Subnet != nil {
		errs = append(errs, validatePoolInSubnet(pool, p, env.Subnet)...)
	}
	return p, errs
}

// validateAffinities checks the label selectors of the pool.
func validateAffinities(pool *spiderpoolv2beta1.SpiderIPPool) field.ErrorList {
	opts := metav1validation.LabelSelectorValidationOptions{}
	errs := validatePodAffinity(pool)
	errs = append(errs, metav1validation.ValidateLabelSelector(pool.Spec.NamespaceAffinity, opts, specPath.Child("namespaceAffinity"))...)
	return append(errs, metav1validation.ValidateLabelSelector(pool.Spec.NodeAffinity, opts, specPath.Child("nodeAffinity"))...)
}

// validatePodAffinity checks spec.podAffinity: a valid, non-empty selector;
// on an auto-created pool only the application matchLabels.
func validatePodAffinity(pool *spiderpoolv2beta1.SpiderIPPool) field.ErrorList {
	sel, path := pool.Spec.PodAffinity, specPath.Child("podAffinity")
	if sel == nil {
		return nil
	}
	if IsAutoPool(pool) {
		return validateAutoPoolAffinity(sel.MatchLabels, len(sel.MatchExpressions) > 0, path)
	}
	errs := metav1validation.ValidateLabelSelector(sel, metav1validation.LabelSelectorValidationOptions{}, path)
	if len(sel.MatchLabels) == 0 && len(sel.MatchExpressions) == 0 {
		errs = append(errs, field.Invalid(path, "{}",
			"an empty selector would match every pod; add matchLabels or matchExpressions, or remove spec.podAffinity"))
	}
	return errs
}

// validateAutoPoolAffinity allows only the application keys.
func validateAutoPoolAffinity(labels map[string]string, hasExpressions bool, path *field.Path) field.ErrorList {
	var errs field.ErrorList
	if hasExpressions {
		errs = append(errs, field.Forbidden(path.Child("matchExpressions"),
			"an auto-created pool selects its application by matchLabels only; remove matchExpressions"))
	}
	for _, k := range sortedKeys(labels) {
		if !slices.Contains(autoPoolAffinityKeys, k) {
			errs = append(errs, field.NotSupported(path.Child("matchLabels").Key(k), k, autoPoolAffinityKeys))
		}
	}
	return errs
}

// sortedKeys returns the keys of m in order, for stable messages.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// describePool names a pool in messages.
func describePool(name string) string {
	return fmt.Sprintf("SpiderIPPool %q", name)
}
