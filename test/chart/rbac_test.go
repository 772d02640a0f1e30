// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package chart_test

import (
	"slices"
	"testing"

	rbacv1 "k8s.io/api/rbac/v1"
)

// roleSet is a component's rendered ClusterRole and Role rules.
type roleSet struct {
	cluster, namespaced []rbacv1.PolicyRule
	roleNamespace       string
}

// rolesOf returns the rendered roles of the component named name.
func rolesOf(t *testing.T, objs objects, name string) roleSet {
	t.Helper()
	var rs roleSet
	cr := &rbacv1.ClusterRole{}
	objs.decode(t, "ClusterRole", name, cr)
	rs.cluster = cr.Rules
	if objs.has("Role", name) {
		r := &rbacv1.Role{}
		objs.decode(t, "Role", name, r)
		rs.namespaced, rs.roleNamespace = r.Rules, r.Namespace
	}
	return rs
}

// allows reports whether rules grant verb on group/resource (optionally a
// named object; "" asks for every object).
func allows(rules []rbacv1.PolicyRule, group, resource, verb, name string) bool {
	for _, r := range rules {
		if !matches(r.APIGroups, group) || !matches(r.Resources, resource) || !matches(r.Verbs, verb) {
			continue
		}
		if len(r.ResourceNames) == 0 || (name != "" && slices.Contains(r.ResourceNames, name)) {
			return true
		}
	}
	return false
}

func matches(list []string, v string) bool {
	return slices.Contains(list, v) || slices.Contains(list, "*")
}

// grant is one access the test expects to be allowed or refused.
type grant struct {
	group, resource, verb string
	allowed               bool
}

// checkGrants checks every grant against rules.
func checkGrants(t *testing.T, who string, rules []rbacv1.PolicyRule, grants []grant) {
	t.Helper()
	for _, g := range grants {
		if got := allows(rules, g.group, g.resource, g.verb, ""); got != g.allowed {
			t.Errorf("%s: %s %s.%s allowed %v, want %v", who, g.verb, g.resource, g.group, got, g.allowed)
		}
	}
}

// namedGrant is a grant on one named object.
type namedGrant struct {
	group, resource, verb, name string
	allowed                     bool
}

// checkNamed checks every grant on a named object against rules.
func checkNamed(t *testing.T, who string, rules []rbacv1.PolicyRule, grants []namedGrant) {
	t.Helper()
	for _, g := range grants {
		if got := allows(rules, g.group, g.resource, g.verb, g.name); got != g.allowed {
			t.Errorf("%s: %s %s.%s/%s allowed %v, want %v", who, g.verb, g.resource, g.group, g.name, got, g.allowed)
		}
	}
}

const spiderGroup = "spiderpool.spidernet.io"

// TestRBACLeastPrivilege asserts, on the rendered roles, what each
// component may and may not do.
func TestRBACLeastPrivilege(t *testing.T) {
	e := newChartEnv(t)
	objs := e.template(t, nil)
	agent := rolesOf(t, objs, "spiderpool-agent")
	checkGrants(t, "agent", agent.cluster, []grant{
		{"", "pods", "list", true}, {"", "pods", "watch", true}, {"", "nodes", "get", true},
		{spiderGroup, "spiderippools/status", "update", true}, {spiderGroup, "spiderendpoints", "create", true},
		{spiderGroup, "spiderendpoints", "delete", true}, {spiderGroup, "spiderreservedips", "list", true},
		{"", "secrets", "get", false}, {"", "secrets", "list", false}, {"", "pods", "delete", false},
		{"", "pods", "patch", false}, {"", "nodes", "patch", false}, {"", "configmaps", "get", false},
		// Third-party controllers' auto-created pools are made by the agent on ADD.
		{spiderGroup, "spiderippools", "create", true}, {spiderGroup, "spiderippools", "delete", false},
		{spiderGroup, "spiderippools", "update", true}, {spiderGroup, "spiderippools", "patch", false},
		{spiderGroup, "spidersubnets", "update", false}, {spiderGroup, "spidersubnets/status", "update", true},
		{spiderGroup, "spidersubnets", "delete", false},
	})
	if agent.namespaced != nil {
		t.Errorf("agent has a Role: %v", agent.namespaced)
	}

	ctrl := rolesOf(t, objs, "spiderpool-controller")
	checkGrants(t, "controller (cluster)", ctrl.cluster, []grant{
		{spiderGroup, "spiderippools/status", "update", true}, {spiderGroup, "spidersubnets/status", "update", true},
		{"admissionregistration.k8s.io", "mutatingwebhookconfigurations", "update", false}, // only by name
		{"", "pods", "list", true}, {"", "secrets", "get", false}, {"", "secrets", "list", false},
		{"coordination.k8s.io", "leases", "update", false}, {"", "pods", "delete", false},
		{"admissionregistration.k8s.io", "mutatingwebhookconfigurations", "delete", false},
	})
	checkGrants(t, "controller (namespace)", ctrl.namespaced, []grant{
		{"", "secrets", "create", true}, {"", "secrets", "get", false}, {"", "secrets", "list", false},
		{"", "secrets", "delete", false}, {"coordination.k8s.io", "leases", "create", true},
	})
	checkNamed(t, "controller (namespace)", ctrl.namespaced, []namedGrant{
		{"", "secrets", "get", "spiderpool-controller-server-certs", true},
		{"", "secrets", "watch", "spiderpool-controller-server-certs", true},
		{"", "secrets", "update", "spiderpool-controller-server-certs", true},
		{"", "secrets", "get", "other", false},
		{"coordination.k8s.io", "leases", "update", "spiderpool-controller-leases", true},
		{"coordination.k8s.io", "leases", "update", "other", false},
	})
	checkNamed(t, "controller (cluster)", ctrl.cluster, []namedGrant{
		{"admissionregistration.k8s.io", "mutatingwebhookconfigurations", "update", "spiderpool-controller", true},
		{"admissionregistration.k8s.io", "validatingwebhookconfigurations", "update", "spiderpool-controller", true},
		{"admissionregistration.k8s.io", "validatingwebhookconfigurations", "update", "other-webhooks", false},
	})

	init := rolesOf(t, objs, "spiderpool-init")
	checkGrants(t, "init (cluster)", init.cluster, []grant{
		{spiderGroup, "spiderippools", "create", true}, {spiderGroup, "spidersubnets", "create", true},
		{spiderGroup, "spidercoordinators", "create", true}, {spiderGroup, "spidermultusconfigs", "create", true},
		{spiderGroup, "spiderippools", "delete", false}, {spiderGroup, "spiderippools", "update", false},
		{"", "endpoints", "get", false}, {"", "secrets", "get", false},
	})
	checkGrants(t, "init (namespace)", init.namespaced, []grant{{"", "endpoints", "get", true}})

	clean := rolesOf(t, objs, "spiderpool-controller-hook-pre-delete")
	checkGrants(t, "cleanup (cluster)", clean.cluster, []grant{
		{spiderGroup, "spiderendpoints", "update", true}, {spiderGroup, "spiderippools", "delete", true},
		{"admissionregistration.k8s.io", "validatingwebhookconfigurations", "delete", false}, // only by name
		{"apiextensions.k8s.io", "customresourcedefinitions", "list", false},
		{"apiextensions.k8s.io", "customresourcedefinitions", "get", false},    // only by name
		{"apiextensions.k8s.io", "customresourcedefinitions", "delete", false}, // only by name
		{"batch", "jobs", "delete", false}, {"", "secrets", "get", false},
	})
	if !allows(clean.cluster, "apiextensions.k8s.io", "customresourcedefinitions", "delete", "spiderippools.spiderpool.spidernet.io") {
		t.Error("cleanup cannot delete the SpiderIPPool CRD")
	}
	checkNamed(t, "cleanup (namespace)", clean.namespaced, []namedGrant{
		{"batch", "jobs", "delete", "spiderpool-init", true}, {"batch", "jobs", "delete", "other", false},
	})
	checkNamed(t, "cleanup (cluster)", clean.cluster, []namedGrant{
		{"admissionregistration.k8s.io", "validatingwebhookconfigurations", "delete", "spiderpool-controller", true},
		{"admissionregistration.k8s.io", "mutatingwebhookconfigurations", "get", "spiderpool-controller", true},
		{"admissionregistration.k8s.io", "mutatingwebhookconfigurations", "delete", "other-webhooks", false},
		{"apiextensions.k8s.io", "customresourcedefinitions", "get", "spiderippools.spiderpool.spidernet.io", true},
		{"apiextensions.k8s.io", "customresourcedefinitions", "delete", "widgets.example.com", false},
		// Never the sriov-network-operator's: the chart does not install it.
		{"admissionregistration.k8s.io", "mutatingwebhookconfigurations", "delete", "network-resources-injector-config", false},
		{"admissionregistration.k8s.io", "mutatingwebhookconfigurations", "delete", "sriov-operator-webhook-config", false},
		{"admissionregistration.k8s.io", "validatingwebhookconfigurations", "delete", "sriov-operator-webhook-config", false},
		{"apiextensions.k8s.io", "customresourcedefinitions", "delete", "sriovnetworks.sriovnetwork.openshift.io", false},
	})

	for _, rs := range []roleSet{ctrl, init, clean} {
		if rs.roleNamespace != releaseNamespace {
			t.Errorf("a Role is in %q, want the release namespace %q", rs.roleNamespace, releaseNamespace)
		}
	}
}

// TestRBACNoBroadGrants checks every rendered role: no wildcards, no
// Secrets cluster-wide, no RBAC escalation verbs, and every binding binds
// the component's own ServiceAccount in the release namespace to its own
// role.
func TestRBACNoBroadGrants(t *testing.T) {
	e := newChartEnv(t)
	objs := e.template(t, nil)
	for _, key := range objs.keys("ClusterRole") {
		cr := &rbacv1.ClusterRole{}
		objs.decode(t, "ClusterRole", key[len("ClusterRole/"):], cr)
		checkNoBroad(t, key, cr.Rules, true)
	}
	for _, key := range objs.keys("Role") {
		r := &rbacv1.Role{}
		objs.decode(t, "Role", key[len("Role/"):], r)
		checkNoBroad(t, key, r.Rules, false)
	}
	for _, kind := range []string{"ClusterRoleBinding", "RoleBinding"} {
		for _, key := range objs.keys(kind) {
			b := &rbacv1.RoleBinding{}
			objs.decode(t, kind, key[len(kind)+1:], b)
			if b.RoleRef.Name != b.Name || len(b.Subjects) != 1 || b.Subjects[0].Kind != "ServiceAccount" ||
				b.Subjects[0].Name != b.Name || b.Subjects[0].Namespace != releaseNamespace {
				t.Errorf("%s binds %+v to %+v", key, b.Subjects, b.RoleRef)
			}
		}
	}
}

// checkNoBroad reports wildcards, escalation verbs and (cluster-wide)
// Secrets in rules.
func checkNoBroad(t *testing.T, who string, rules []rbacv1.PolicyRule, clusterWide bool) {
	t.Helper()
	for _, r := range rules {
		for _, list := range [][]string{r.APIGroups, r.Resources, r.Verbs} {
			if slices.Contains(list, "*") {
				t.Errorf("%s has a wildcard rule %+v", who, r)
			}
		}
		for _, v := range []string{"escalate", "bind", "impersonate"} {
			if slices.Contains(r.Verbs, v) {
				t.Errorf("%s may %s: %+v", who, v, r)
			}
		}
		if clusterWide && slices.Contains(r.APIGroups, "") && slices.Contains(r.Resources, "secrets") {
			t.Errorf("%s reads Secrets cluster-wide: %+v", who, r)
		}
	}
}

// TestRBACNamesFollowValues checks that the named rules follow renamed
// objects.
func TestRBACNamesFollowValues(t *testing.T) {
	e := newChartEnv(t)
	objs := e.template(t, with("spiderpoolController.name", "ctl", "spiderpoolController.tls.secretName", "ctl-certs",
		"spiderpoolInit.name", "ctl-init"))
	ctrl := rolesOf(t, objs, "ctl")
	checkNamed(t, "controller", ctrl.namespaced, []namedGrant{
		{"", "secrets", "update", "ctl-certs", true}, {"", "secrets", "update", "spiderpool-controller-server-certs", false},
	})
	checkNamed(t, "controller", ctrl.cluster, []namedGrant{
		{"admissionregistration.k8s.io", "mutatingwebhookconfigurations", "update", "ctl", true},
	})
	clean := rolesOf(t, objs, "ctl-hook-pre-delete")
	checkNamed(t, "cleanup", clean.namespaced, []namedGrant{{"batch", "jobs", "delete", "ctl-init", true}})
	checkNamed(t, "cleanup", clean.cluster, []namedGrant{
		{"admissionregistration.k8s.io", "mutatingwebhookconfigurations", "delete", "ctl", true},
		{"admissionregistration.k8s.io", "mutatingwebhookconfigurations", "delete", "spiderpool-controller", false},
	})
	checkNamed(t, "controller", ctrl.cluster, []namedGrant{
		{"admissionregistration.k8s.io", "validatingwebhookconfigurations", "update", "spiderpool-controller", false},
	})
}

// TestRBACWithoutAutoTLS checks that the controller, which then neither
// writes its Secret nor the caBundle, gets no rule for them.
func TestRBACWithoutAutoTLS(t *testing.T) {
	e := newChartEnv(t)
	for _, values := range []map[string]any{providedTLS, with("spiderpoolController.tls.method", "certmanager")} {
		ctrl := rolesOf(t, e.template(t, values), "spiderpool-controller")
		checkNamed(t, "controller", ctrl.namespaced, []namedGrant{
			{"", "secrets", "get", "spiderpool-controller-server-certs", false},
			{"coordination.k8s.io", "leases", "update", "spiderpool-controller-leases", true},
		})
		checkNamed(t, "controller", ctrl.cluster, []namedGrant{
			{"admissionregistration.k8s.io", "mutatingwebhookconfigurations", "get", "spiderpool-controller", false},
			{spiderGroup, "spiderippools", "get", "any", true},
		})
		checkGrants(t, "controller", ctrl.namespaced, []grant{{"", "secrets", "create", false}})
	}
}
