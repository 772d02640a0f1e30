// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package chart_test

import (
	"strings"
	"testing"
)

// TestSchemaRejectsBadValues checks that values.schema.json refuses wrong
// types, unknown enum values and unknown top-level keys with a message
// naming the key.
func TestSchemaRejectsBadValues(t *testing.T) {
	e := newChartEnv(t)
	for _, tc := range []struct {
		name   string
		values map[string]any
		want   []string
	}{
		{"bool as string", with("ipam.enableIPv4", "yes"), []string{"ipam.enableIPv4", "Expected: boolean, given: string"}},
		{"tls method", with("spiderpoolController.tls.method", "foo"), []string{"spiderpoolController.tls.method", `"auto", "provided", "certmanager"`}},
		{"unknown top-level key", with("spiderpool", map[string]any{"x": 1}), []string{"Additional property spiderpool is not allowed"}},
		{"coordinator mode", with("coordinator.mode", "l3"), []string{"coordinator.mode", "must be one of"}},
		{"pod CIDR type", with("coordinator.podCIDRType", "flannel"), []string{"coordinator.podCIDRType"}},
		{"port as string", with("spiderpoolAgent.httpPort", "5710"), []string{"spiderpoolAgent.httpPort", "Expected: integer"}},
		{"port out of range", with("spiderpoolController.webhookPort", 70000), []string{"spiderpoolController.webhookPort"}},
		{"webhook URL without https", with("spiderpoolController.webhookURL", "http://10.0.0.1:5722"), []string{"spiderpoolController.webhookURL"}},
		{"log level", with("spiderpoolAgent.debug.logLevel", "verbose"), []string{"spiderpoolAgent.debug.logLevel"}},
		{"ranges not a list", with("clusterDefaultPool.ipv4IPRanges", "10.0.0.1-10.0.0.9"), []string{"clusterDefaultPool.ipv4IPRanges", "Expected: array"}},
		{"pull policy", with("spiderpoolAgent.image.pullPolicy", "Sometimes"), []string{"spiderpoolAgent.image.pullPolicy"}},
		{"grafana kind", with("grafanaDashboard.kind", "Dashboard"), []string{"grafanaDashboard.kind"}},
		{"CA lifetime", with("spiderpoolController.tls.auto.caExpiration", "ten"), []string{"spiderpoolController.tls.auto.caExpiration"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := e.run(t, tc.values, "template", "spiderpool", e.chart)
			if err == nil {
				t.Fatal("helm template accepted the values")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("message lacks %q:\n%v", w, err)
				}
			}
		})
	}
}

// TestRequiredValues checks the template-time checks that the schema
// cannot express.
func TestRequiredValues(t *testing.T) {
	e := newChartEnv(t)
	for _, tc := range []struct {
		name   string
		values map[string]any
		want   string
	}{
		{"provided without a CA", with("spiderpoolController.tls.method", "provided"), "spiderpoolController.tls.provided.tlsCa is required"},
		{"default pool without a subnet", with("clusterDefaultPool.installIPv4IPPool", true), "clusterDefaultPool.ipv4Subnet is required"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := e.run(t, tc.values, "template", "spiderpool", e.chart)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got %v, want an error containing %q", err, tc.want)
			}
		})
	}
}

// TestSchemaAcceptsSpiderpoolValues checks that Spiderpool-only keys the
// chart keeps but does not render still validate.
func TestSchemaAcceptsSpiderpoolValues(t *testing.T) {
	e := newChartEnv(t)
	values := with("sriov.install", false, "rdma.rdmaSharedDevicePlugin.install", false, "plugins.installCNI", true,
		"multus.multusCNI.uninstall", true, "spiderpoolController.tls.auto.caExpiration", 3650,
		"coordinator.mode", "disabled", "spiderpoolAgent.debug.logLevel", "Info", "spiderpoolController.debug.logLevel", "Debug")
	if err := e.lint(t, values, true); err != nil {
		t.Error(err)
	}
}
