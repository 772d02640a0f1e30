// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package webhook

import (
	"slices"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	"github.com/spiderpool-go/spiderpool/internal/config"
)

// podWebhook returns the Pod webhook as Spiderpool ships it: pod CREATE
// only, failing closed, for the namespaces the lists select by name. The
// namespace of the controller's Service is always left out, so that a
// controller that is down never blocks its own replacement pods
// (docs/compatibility.md).
func podWebhook(ep Endpoint, inject config.PodResourceInject) admissionregistrationv1.MutatingWebhook {
	return admissionregistrationv1.MutatingWebhook{
		Name:         podWebhookName,
		ClientConfig: ep.clientConfig(PodMutatePath),
		Rules: []admissionregistrationv1.RuleWithOperations{{
			Operations: []admissionregistrationv1.OperationType{admissionregistrationv1.Create},
			Rule: admissionregistrationv1.Rule{
				APIGroups:   []string{corev1.GroupName},
				APIVersions: []string{corev1.SchemeGroupVersion.Version},
				Resources:   []string{"pods"},
				Scope:       ptr.To(admissionregistrationv1.AllScopes),
			},
		}},
		FailurePolicy:           ptr.To(admissionregistrationv1.Fail),
		MatchPolicy:             ptr.To(admissionregistrationv1.Equivalent),
		NamespaceSelector:       podNamespaceSelector(ep, inject),
		ObjectSelector:          &metav1.LabelSelector{},
		SideEffects:             ptr.To(admissionregistrationv1.SideEffectClassNone),
		TimeoutSeconds:          ptr.To[int32](10),
		AdmissionReviewVersions: []string{"v1"},
		ReinvocationPolicy:      ptr.To(admissionregistrationv1.NeverReinvocationPolicy),
	}
}

// podNamespaceSelector selects namespaces by name: not in the exclude list
// (plus the controller's namespace), and in the include list when it has
// entries.
func podNamespaceSelector(ep Endpoint, inject config.PodResourceInject) *metav1.LabelSelector {
	exclude := slices.Clone(inject.NamespacesExclude)
	if ep.Service != nil && ep.Service.Namespace != "" && !slices.Contains(exclude, ep.Service.Namespace) {
		exclude = append(exclude, ep.Service.Namespace)
	}
	sel := &metav1.LabelSelector{}
	if len(exclude) > 0 {
		sel.MatchExpressions = append(sel.MatchExpressions, metav1.LabelSelectorRequirement{
			Key: corev1.LabelMetadataName, Operator: metav1.LabelSelectorOpNotIn, Values: exclude})
	}
	if len(inject.NamespacesInclude) > 0 {
		sel.MatchExpressions = append(sel.MatchExpressions, metav1.LabelSelectorRequirement{
			Key: corev1.LabelMetadataName, Operator: metav1.LabelSelectorOpIn, Values: slices.Clone(inject.NamespacesInclude)})
	}
	return sel
}
