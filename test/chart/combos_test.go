// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package chart_test

import (
	"testing"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	rbacv1 "k8s.io/api/rbac/v1"
)

// combination is a documented set of values (docs/chart.md).
type combination struct {
	name   string
	values map[string]any
}

// providedTLS is a syntactically valid tls.provided triple (base64 of
// placeholder PEM text; the chart does not parse certificates).
var providedTLS = with(
	"spiderpoolController.tls.method", "provided",
	"spiderpoolController.tls.provided.tlsCert", "Y2VydA==",
	"spiderpoolController.tls.provided.tlsKey", "a2V5",
	"spiderpoolController.tls.provided.tlsCa", "Y2E=",
)

// monitoring turns on both components' metrics, ServiceMonitors and rules.
var monitoring = with(
	"spiderpoolAgent.prometheus.enabled", true,
	"spiderpoolAgent.prometheus.serviceMonitor.install", true,
	"spiderpoolAgent.prometheus.prometheusRule.install", true,
	"spiderpoolController.prometheus.enabled", true,
	"spiderpoolController.prometheus.serviceMonitor.install", true,
	"spiderpoolController.prometheus.prometheusRule.install", true,
)

// defaultPools makes spiderpool-init create dual-stack default pools.
var defaultPools = with(
	"clusterDefaultPool.installIPv4IPPool", true,
	"clusterDefaultPool.ipv4Subnet", "10.6.0.0/16",
	"clusterDefaultPool.ipv4IPRanges", []any{"10.6.0.10-10.6.0.100"},
	"clusterDefaultPool.ipv4Gateway", "10.6.0.1",
	"clusterDefaultPool.installIPv6IPPool", true,
	"clusterDefaultPool.ipv6Subnet", "fd00:6::/64",
	"clusterDefaultPool.ipv6IPRanges", []any{"fd00:6::10-fd00:6::100"},
	"clusterDefaultPool.ipv6Gateway", "fd00:6::1",
)

// combinations are the value sets docs/chart.md documents.
var combinations = []combination{
	{"default", nil},
	{"ipv4-only", with("ipam.enableIPv6", false)},
	{"ipv6-only", with("ipam.enableIPv4", false)},
	{"tls-provided", providedTLS},
	{"tls-certmanager", with("spiderpoolController.tls.method", "certmanager")},
	{"monitoring", monitoring},
	{"grafana-configmap", with("grafanaDashboard.install", true)},
	{"grafana-operator", with("grafanaDashboard.install", true, "grafanaDashboard.kind", "GrafanaDashboard")},
	{"cleanup-off", with("spiderpoolController.cleanup.enable", false)},
	{"pod-resource-inject", with("spiderpoolController.podResourceInject.enabled", true)},
	{"default-pools", defaultPools},
	{"webhook-url", with("spiderpoolController.webhookURL", "https://127.0.0.1:5722",
		"spiderpoolController.tls.auto.extraIpAddresses", []any{"127.0.0.1"})},
	{"coordinator-off", with("coordinator.enabled", false)},
	{"multus-config-off", with("multus.enableMultusConfig", false)},
	{"subnet-off", with("ipam.spiderSubnet.enable", false)},
	{"pdb", with("spiderpoolController.podDisruptionBudget.enabled", true, "spiderpoolController.replicas", 2)},
	{"controller-recreate", with("spiderpoolController.updateStrategy.type", "Recreate")},
}

// TestLint runs helm lint and helm lint --strict for every combination.
func TestLint(t *testing.T) {
	e := newChartEnv(t)
	for _, c := range combinations {
		t.Run(c.name, func(t *testing.T) {
			for _, strict := range []bool{false, true} {
				if err := e.lint(t, c.values, strict); err != nil {
					t.Errorf("helm lint (strict %v): %v", strict, err)
				}
			}
		})
	}
}

// TestTemplateRendersEveryCombination renders every combination and checks
// the objects every install has.
func TestTemplateRendersEveryCombination(t *testing.T) {
	e := newChartEnv(t)
	for _, c := range combinations {
		t.Run(c.name, func(t *testing.T) {
			objs := e.template(t, c.values)
			for _, key := range []string{"DaemonSet/spiderpool-agent", "Deployment/spiderpool-controller",
				"ConfigMap/spiderpool-conf", "Service/spiderpool-controller", "Job/spiderpool-init",
				"MutatingWebhookConfiguration/spiderpool-controller", "ValidatingWebhookConfiguration/spiderpool-controller",
				"ServiceAccount/spiderpool-agent", "ServiceAccount/spiderpool-controller", "ServiceAccount/spiderpool-init",
				"ClusterRole/spiderpool-agent", "ClusterRole/spiderpool-controller", "ClusterRole/spiderpool-init",
				"Role/spiderpool-controller", "Role/spiderpool-init"} {
				if _, ok := objs[key]; !ok {
					t.Errorf("%s not rendered", key)
				}
			}
			for key, obj := range objs {
				if typed := typedObject(obj.Kind); typed != nil {
					objs.decode(t, obj.Kind, obj.Name, typed) // strict: no unknown or misspelt field
				}
				if isClusterScoped(obj.Kind) {
					continue
				}
				if obj.Namespace == "" {
					t.Errorf("%s has no namespace", key)
				}
			}
		})
	}
}

// isClusterScoped reports the cluster-scoped kinds the chart renders.
func isClusterScoped(kind string) bool {
	switch kind {
	case "ClusterRole", "ClusterRoleBinding", "MutatingWebhookConfiguration", "ValidatingWebhookConfiguration":
		return true
	}
	return false
}

// typedObject returns an empty object of a Kubernetes kind the chart
// renders, or nil for custom resources (ServiceMonitor, Certificate...).
func typedObject(kind string) any {
	switch kind {
	case "DaemonSet":
		return &appsv1.DaemonSet{}
	case "Deployment":
		return &appsv1.Deployment{}
	case "Job":
		return &batchv1.Job{}
	case "ConfigMap":
		return &corev1.ConfigMap{}
	case "Secret":
		return &corev1.Secret{}
	case "Service":
		return &corev1.Service{}
	case "ServiceAccount":
		return &corev1.ServiceAccount{}
	case "PodDisruptionBudget":
		return &policyv1.PodDisruptionBudget{}
	case "ClusterRole":
		return &rbacv1.ClusterRole{}
	case "Role":
		return &rbacv1.Role{}
	case "ClusterRoleBinding":
		return &rbacv1.ClusterRoleBinding{}
	case "RoleBinding":
		return &rbacv1.RoleBinding{}
	case "MutatingWebhookConfiguration":
		return &admissionregistrationv1.MutatingWebhookConfiguration{}
	case "ValidatingWebhookConfiguration":
		return &admissionregistrationv1.ValidatingWebhookConfiguration{}
	}
	return nil
}
