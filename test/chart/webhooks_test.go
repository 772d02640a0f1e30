// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package chart_test

import (
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	"k8s.io/utils/ptr"

	"github.com/spiderpool-go/spiderpool/internal/config"
	"github.com/spiderpool-go/spiderpool/internal/webhook"
)

// podWebhook is Spiderpool's Pod webhook: the chart renders it only with
// podResourceInject.enabled.
const podWebhook = "pods.spiderpool.spidernet.io"

// inject is the chart's default podResourceInject, switched on.
var inject = config.PodResourceInject{Enabled: true, NamespacesExclude: []string{"kube-system", "spiderpool", "metallb-system", "istio-system"}}

// webhooksOf returns the rendered configurations.
func webhooksOf(t *testing.T, objs objects) (*admissionregistrationv1.MutatingWebhookConfiguration, *admissionregistrationv1.ValidatingWebhookConfiguration) {
	t.Helper()
	m := &admissionregistrationv1.MutatingWebhookConfiguration{}
	v := &admissionregistrationv1.ValidatingWebhookConfiguration{}
	objs.decode(t, "MutatingWebhookConfiguration", "spiderpool-controller", m)
	objs.decode(t, "ValidatingWebhookConfiguration", "spiderpool-controller", v)
	return m, v
}

// TestWebhooksMatchTheController compares the chart's webhooks with
// internal/webhook.Configurations for the same options, caBundle and
// metadata aside, over the combinations that change them.
func TestWebhooksMatchTheController(t *testing.T) {
	e := newChartEnv(t)
	svc := &admissionregistrationv1.ServiceReference{Namespace: releaseNamespace, Name: "spiderpool-controller", Port: ptr.To[int32](5722)}
	for _, tc := range []struct {
		name   string
		values map[string]any
		opts   webhook.Options
		ep     webhook.Endpoint
	}{
		{"default", nil, webhook.Options{EnableSpiderSubnet: true, EnableCoordinator: true, EnableMultusConfig: true}, webhook.Endpoint{Service: svc}},
		{"subnet off", with("ipam.spiderSubnet.enable", false), webhook.Options{EnableCoordinator: true, EnableMultusConfig: true}, webhook.Endpoint{Service: svc}},
		{"coordinator off", with("coordinator.enabled", false), webhook.Options{EnableSpiderSubnet: true, EnableMultusConfig: true}, webhook.Endpoint{Service: svc}},
		{"multus config off", with("multus.enableMultusConfig", false), webhook.Options{EnableSpiderSubnet: true, EnableCoordinator: true}, webhook.Endpoint{Service: svc}},
		{"all off", with("multus.enableMultusConfig", false, "coordinator.enabled", false, "ipam.spiderSubnet.enable", false), webhook.Options{}, webhook.Endpoint{Service: svc}},
		{"webhook port", with("spiderpoolController.webhookPort", 6722), webhook.Options{EnableSpiderSubnet: true, EnableCoordinator: true, EnableMultusConfig: true},
			webhook.Endpoint{Service: &admissionregistrationv1.ServiceReference{Namespace: releaseNamespace, Name: "spiderpool-controller", Port: ptr.To[int32](6722)}}},
		{"webhook URL", with("spiderpoolController.webhookURL", "https://127.0.0.1:5722/"), webhook.Options{EnableSpiderSubnet: true, EnableCoordinator: true, EnableMultusConfig: true},
			webhook.Endpoint{URL: "https://127.0.0.1:5722"}},
		{"pod inject", with("spiderpoolController.podResourceInject.enabled", true),
			webhook.Options{EnableSpiderSubnet: true, EnableCoordinator: true, EnableMultusConfig: true, PodResourceInject: inject}, webhook.Endpoint{Service: svc}},
		{"pod inject include only", with("spiderpoolController.podResourceInject.enabled", true,
			"spiderpoolController.podResourceInject.namespacesExclude", []any{}, "spiderpoolController.podResourceInject.namespacesInclude", []any{"apps", "web"}),
			webhook.Options{EnableSpiderSubnet: true, EnableCoordinator: true, EnableMultusConfig: true,
				PodResourceInject: config.PodResourceInject{Enabled: true, NamespacesInclude: []string{"apps", "web"}}}, webhook.Endpoint{Service: svc}},
		{"pod inject by URL without lists", with("spiderpoolController.podResourceInject.enabled", true, "spiderpoolController.webhookURL", "https://127.0.0.1:5722",
			"spiderpoolController.podResourceInject.namespacesExclude", []any{}),
			webhook.Options{EnableSpiderSubnet: true, EnableCoordinator: true, EnableMultusConfig: true,
				PodResourceInject: config.PodResourceInject{Enabled: true}}, webhook.Endpoint{URL: "https://127.0.0.1:5722"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			gotM, gotV := webhooksOf(t, e.template(t, tc.values))
			wantM, wantV := webhook.Configurations("spiderpool-controller", tc.ep, tc.opts)
			ignore := []cmp.Option{
				cmp.FilterPath(func(p cmp.Path) bool {
					s := p.String()
					return s == "ObjectMeta" || s == "TypeMeta"
				}, cmp.Ignore()),
			}
			if diff := cmp.Diff(wantM, gotM, ignore...); diff != "" {
				t.Errorf("mutating webhooks differ from internal/webhook (-go +chart):\n%s", diff)
			}
			if diff := cmp.Diff(wantV, gotV, ignore...); diff != "" {
				t.Errorf("validating webhooks differ from internal/webhook (-go +chart):\n%s", diff)
			}
		})
	}
}

// TestWebhookCABundle checks who provides the CA: nobody in the chart for
// auto (the controller does), the provided CA, or cert-manager's injection.
func TestWebhookCABundle(t *testing.T) {
	e := newChartEnv(t)
	for _, tc := range []struct {
		name       string
		values     map[string]any
		wantCA     string
		wantInject bool
	}{
		{"auto", nil, "", false},
		{"provided", providedTLS, "ca", false},
		{"certmanager", with("spiderpoolController.tls.method", "certmanager"), "", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			objs := e.template(t, tc.values)
			m, v := webhooksOf(t, objs)
			var cc []admissionregistrationv1.WebhookClientConfig
			for _, w := range m.Webhooks {
				cc = append(cc, w.ClientConfig)
			}
			for _, w := range v.Webhooks {
				cc = append(cc, w.ClientConfig)
			}
			for _, c := range cc {
				if string(c.CABundle) != tc.wantCA {
					t.Errorf("caBundle %q, want %q", c.CABundle, tc.wantCA)
				}
			}
			for _, kind := range []string{"MutatingWebhookConfiguration", "ValidatingWebhookConfiguration"} {
				inject := objs[kind+"/spiderpool-controller"].Annotations["cert-manager.io/inject-ca-from"]
				if (inject != "") != tc.wantInject || (tc.wantInject && inject != releaseNamespace+"/spiderpool-controller") {
					t.Errorf("%s inject-ca-from %q", kind, inject)
				}
			}
			if got := objs.has("Secret", "spiderpool-controller-server-certs"); got != (tc.name == "provided") {
				t.Errorf("Secret rendered %v", got)
			}
			if got := objs.has("Certificate", "spiderpool-controller"); got != tc.wantInject {
				t.Errorf("Certificate rendered %v", got)
			}
		})
	}
}

// TestPodWebhook checks that the Pod webhook is there only with
// podResourceInject, with Spiderpool's namespace selector.
func TestPodWebhook(t *testing.T) {
	e := newChartEnv(t)
	m, _ := webhooksOf(t, e.template(t, nil))
	for _, w := range m.Webhooks {
		if w.Name == podWebhook {
			t.Fatal("Pod webhook rendered without podResourceInject.enabled")
		}
	}
	m, _ = webhooksOf(t, e.template(t, with("spiderpoolController.podResourceInject.enabled", true,
		"spiderpoolController.podResourceInject.namespacesInclude", []any{"apps"})))
	var pod *admissionregistrationv1.MutatingWebhook
	for i := range m.Webhooks {
		if m.Webhooks[i].Name == podWebhook {
			pod = &m.Webhooks[i]
		}
	}
	if pod == nil {
		t.Fatal("no Pod webhook with podResourceInject.enabled")
	}
	if pod.ClientConfig.Service == nil || *pod.ClientConfig.Service.Path != "/mutate--v1-pod" {
		t.Errorf("Pod webhook client config %+v", pod.ClientConfig)
	}
	sel := pod.NamespaceSelector
	if sel == nil || len(sel.MatchExpressions) != 2 || sel.MatchExpressions[0].Operator != "NotIn" ||
		!slices.Contains(sel.MatchExpressions[0].Values, releaseNamespace) ||
		sel.MatchExpressions[1].Operator != "In" || sel.MatchExpressions[1].Values[0] != "apps" {
		t.Errorf("Pod webhook namespaceSelector %+v, want the release namespace excluded and apps included", sel)
	}
	if *pod.FailurePolicy != admissionregistrationv1.Fail {
		t.Errorf("Pod webhook failurePolicy %s, want Fail as Spiderpool ships it", *pod.FailurePolicy)
	}
	if len(pod.Rules) != 1 || pod.Rules[0].Resources[0] != "pods" || pod.Rules[0].Operations[0] != admissionregistrationv1.Create {
		t.Errorf("Pod webhook rules %+v", pod.Rules)
	}
}
