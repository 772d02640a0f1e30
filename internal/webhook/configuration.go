// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package webhook

import (
	"strings"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
)

// Endpoint says how the API server reaches the webhook server.
type Endpoint struct {
	// Service is the Service in front of spiderpool-controller's webhook
	// port; each webhook gets its own path. It wins over URL.
	Service *admissionregistrationv1.ServiceReference
	// URL is the base URL of the webhook server, e.g.
	// "https://10.0.0.5:5722", used when Service is nil.
	URL string
	// CABundle is the PEM bundle of the CA that signed the serving
	// certificate.
	CABundle []byte
}

// clientConfig returns the client config of the webhook at path.
func (e Endpoint) clientConfig(path string) admissionregistrationv1.WebhookClientConfig {
	cc := admissionregistrationv1.WebhookClientConfig{CABundle: e.CABundle}
	if e.Service != nil {
		svc := *e.Service
		svc.Path = ptr.To(path)
		cc.Service = &svc
	} else {
		cc.URL = ptr.To(strings.TrimSuffix(e.URL, "/") + path)
	}
	return cc
}

// Configurations returns the MutatingWebhookConfiguration and the
// ValidatingWebhookConfiguration, both named name, for the webhooks that
// Setup registers with the same opts. Every webhook fails closed
// (failurePolicy Fail, as in Spiderpool's chart), has no side effects and
// speaks admission/v1. Mutation is on CREATE and UPDATE; validation also
// on DELETE for pools and subnets, the kinds with a deletion rule
// (docs/compatibility.md #5). With opts.PodResourceInject.Enabled, the
// mutating configuration also has the Pod webhook (podWebhook). Defaulted fields are set explicitly so that the objects
// compare equal to what the API server stores.
func Configurations(name string, ep Endpoint, opts Options) (*admissionregistrationv1.MutatingWebhookConfiguration, *admissionregistrationv1.ValidatingWebhookConfiguration) {
	mutating := &admissionregistrationv1.MutatingWebhookConfiguration{ObjectMeta: metav1.ObjectMeta{Name: name}}
	validating := &admissionregistrationv1.ValidatingWebhookConfiguration{ObjectMeta: metav1.ObjectMeta{Name: name}}
	for _, h := range enabledHooks(nil, opts) {
		ops := []admissionregistrationv1.OperationType{admissionregistrationv1.Create, admissionregistrationv1.Update}
		mutating.Webhooks = append(mutating.Webhooks, admissionregistrationv1.MutatingWebhook{
			Name:                    webhookName(h.resource),
			ClientConfig:            ep.clientConfig(MutatePath(h.kind)),
			Rules:                   rules(h.resource, ops),
			FailurePolicy:           ptr.To(admissionregistrationv1.Fail),
			MatchPolicy:             ptr.To(admissionregistrationv1.Equivalent),
			NamespaceSelector:       &metav1.LabelSelector{},
			ObjectSelector:          &metav1.LabelSelector{},
			SideEffects:             ptr.To(admissionregistrationv1.SideEffectClassNone),
			TimeoutSeconds:          ptr.To[int32](10),
			AdmissionReviewVersions: []string{"v1"},
			ReinvocationPolicy:      ptr.To(admissionregistrationv1.NeverReinvocationPolicy),
		})
		if h.deleteRule {
			ops = append(ops, admissionregistrationv1.Delete)
		}
		validating.Webhooks = append(validating.Webhooks, admissionregistrationv1.ValidatingWebhook{
			Name:                    webhookName(h.resource),
			ClientConfig:            ep.clientConfig(ValidatePath(h.kind)),
			Rules:                   rules(h.resource, ops),
			FailurePolicy:           ptr.To(admissionregistrationv1.Fail),
			MatchPolicy:             ptr.To(admissionregistrationv1.Equivalent),
			NamespaceSelector:       &metav1.LabelSelector{},
			ObjectSelector:          &metav1.LabelSelector{},
			SideEffects:             ptr.To(admissionregistrationv1.SideEffectClassNone),
			TimeoutSeconds:          ptr.To[int32](10),
			AdmissionReviewVersions: []string{"v1"},
		})
	}
	if opts.PodResourceInject.Enabled {
		mutating.Webhooks = append(mutating.Webhooks, podWebhook(ep, opts.PodResourceInject))
	}
	return mutating, validating
}

// webhookName is Spiderpool's name of the webhooks of resource, e.g.
// "spiderippool.spiderpool.spidernet.io".
func webhookName(resource string) string {
	return strings.TrimSuffix(resource, "s") + "." + spiderpoolv2beta1.GroupName
}

// rules matches resource (the main resource only, not status) for ops.
func rules(resource string, ops []admissionregistrationv1.OperationType) []admissionregistrationv1.RuleWithOperations {
	return []admissionregistrationv1.RuleWithOperations{{
		Operations: ops,
		Rule: admissionregistrationv1.Rule{
			APIGroups:   []string{spiderpoolv2beta1.GroupName},
			APIVersions: []string{spiderpoolv2beta1.GroupVersion.Version},
			Resources:   []string{resource},
			Scope:       ptr.To(admissionregistrationv1.AllScopes),
		},
	}}
}
