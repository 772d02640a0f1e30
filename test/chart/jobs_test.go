// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package chart_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/spiderpool-go/spiderpool/internal/config"
)

// TestConfigMapFollowsValues parses conf.yml with the agent's and
// controller's own parser.
func TestConfigMapFollowsValues(t *testing.T) {
	e := newChartEnv(t)
	for _, tc := range []struct {
		name   string
		values map[string]any
		want   config.ConfigMap
	}{{
		name: "defaults",
		want: config.ConfigMap{IPAMUnixSocketPath: "/var/run/spidernet/spiderpool.sock", EnableIPv4: true, EnableIPv6: true,
			EnableStatefulSet: true, EnableKubevirtStaticIP: true, EnableSpiderSubnet: true, EnableAutoPoolForApplication: true,
			ClusterSubnetDefaultFlexibleIPNumber: 1, TuneSysctlConfig: true,
			PodResourceInject: config.PodResourceInject{NamespacesExclude: []string{"kube-system", "spiderpool", "metallb-system", "istio-system"}, NamespacesInclude: []string{}}},
	}, {
		name: "everything flipped",
		values: with("ipam.enableIPv6", false, "ipam.enableStatefulSet", false, "ipam.enableKubevirtStaticIP", false,
			"ipam.enableCleanOutdatedEndpoint", true, "ipam.enableIPConflictDetection", true, "ipam.enableGatewayDetection", true,
			"ipam.spiderSubnet.autoPool.defaultRedundantIPNumber", 4, "spiderpoolAgent.tuneSysctlConfig", false,
			"spiderpoolController.enableValidatingResourcesDeletedWebhook", true, "global.ipamUNIXSocketHostPath", "/run/x.sock",
			"spiderpoolController.podResourceInject.enabled", true, "spiderpoolController.podResourceInject.namespacesExclude", []any{},
			"spiderpoolController.podResourceInject.namespacesInclude", []any{"a"}),
		want: config.ConfigMap{IPAMUnixSocketPath: "/run/x.sock", EnableIPv4: true, EnableCleanOutdatedEndpoint: true,
			EnableSpiderSubnet: true, EnableAutoPoolForApplication: true, EnableIPConflictDetection: true, EnableGatewayDetection: true,
			EnableValidatingResourcesDeletedWebhook: true, ClusterSubnetDefaultFlexibleIPNumber: 4,
			PodResourceInject: config.PodResourceInject{Enabled: true, NamespacesExclude: []string{}, NamespacesInclude: []string{"a"}}},
	}, {
		name:   "auto pools off: no redundant addresses",
		values: with("ipam.spiderSubnet.autoPool.enable", false),
		want: config.ConfigMap{IPAMUnixSocketPath: "/var/run/spidernet/spiderpool.sock", EnableIPv4: true, EnableIPv6: true,
			EnableStatefulSet: true, EnableKubevirtStaticIP: true, EnableSpiderSubnet: true, TuneSysctlConfig: true,
			PodResourceInject: config.PodResourceInject{NamespacesExclude: []string{"kube-system", "spiderpool", "metallb-system", "istio-system"}, NamespacesInclude: []string{}}},
	}} {
		t.Run(tc.name, func(t *testing.T) {
			cm := e.template(t, tc.values).configMap(t, "spiderpool-conf")
			got, err := config.ParseConfigMap([]byte(cm.Data["conf.yml"]))
			if err != nil {
				t.Fatalf("conf.yml does not parse: %v\n%s", err, cm.Data["conf.yml"])
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("conf.yml (-want +got):\n%s", diff)
			}
		})
	}
}

// TestConfigMapQuirkyKeys checks that conf.yml has every key Spiderpool's
// chart writes, spelled as Spiderpool spells them.
func TestConfigMapQuirkyKeys(t *testing.T) {
	e := newChartEnv(t)
	cm := e.template(t, nil).configMap(t, "spiderpool-conf")
	var keys map[string]any
	if err := yamlUnmarshal([]byte(cm.Data["conf.yml"]), &keys); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"ipamUnixSocketPath", "enableIPv4", "enableIPv6", "enableStatefulSet", "enableKubevirtStaticIP",
		"enableCleanOutdatedEndpoint", "enableSpiderSubnet", "enableAutoPoolForApplication", "enableIPConflictDetection",
		"enableGatewayDetection", "enableValidatingResourcesDeletedWebhook", "clusterSubnetDefaultFlexibleIPNumber",
		"clusterSubnetAutoPoolDefaultRedundantIPNumber", "tuneSysctlConfig", "podResourceInject"} {
		if _, ok := keys[k]; !ok {
			t.Errorf("conf.yml lacks %s", k)
		}
	}
	if _, ok := cm.Data["clusterNetwork"]; !ok {
		t.Error("ConfigMap lacks data.clusterNetwork")
	}
}

// TestInitJob checks the post-install hook and that spiderpool-init's own
// parser accepts its environment.
func TestInitJob(t *testing.T) {
	e := newChartEnv(t)
	objs := e.template(t, defaultPools)
	job := objs.job(t, "spiderpool-init")
	if a := objs["Job/spiderpool-init"].Annotations; a["helm.sh/hook"] != "post-install" || a["helm.sh/hook-delete-policy"] != "before-hook-creation" {
		t.Errorf("init Job hook annotations %v", a)
	}
	pod := job.Spec.Template.Spec
	c := pod.Containers[0]
	if diff := cmp.Diff([]string{"/usr/bin/spiderpool-init"}, c.Command); diff != "" {
		t.Errorf("command (-want +got):\n%s", diff)
	}
	if pod.ServiceAccountName != "spiderpool-init" || pod.RestartPolicy != "Never" {
		t.Errorf("serviceAccount %s restartPolicy %s", pod.ServiceAccountName, pod.RestartPolicy)
	}
	env, err := config.ParseInitEnv(lookupIn(c))
	if err != nil {
		t.Fatalf("spiderpool-init rejects the chart's environment: %v", err)
	}
	want := config.InitEnv{
		Namespace: releaseNamespace, ControllerName: "spiderpool-controller", AgentName: "spiderpool-agent",
		Coordinator:        &config.InitCoordinator{Name: "default", Mode: "auto", PodCIDRType: "auto", TunePodRoutes: true, HijackCIDR: []string{"169.254.0.0/16"}},
		IPv4:               &config.InitPool{SubnetName: "default-v4-subnet", IPPoolName: "default-v4-ippool", Subnet: "10.6.0.0/16", IPRanges: []string{"10.6.0.10-10.6.0.100"}, Gateway: "10.6.0.1"},
		IPv6:               &config.InitPool{SubnetName: "default-v6-subnet", IPPoolName: "default-v6-ippool", Subnet: "fd00:6::/64", IPRanges: []string{"fd00:6::10-fd00:6::100"}, Gateway: "fd00:6::1"},
		EnableMultusConfig: true, DefaultCNINamespace: releaseNamespace, DefaultCNIDir: "/etc/cni/net.d",
		MultusConfigMap: "spiderpool-multus", ReadinessFile: "/etc/spiderpool/ready",
	}
	if diff := cmp.Diff(want, env); diff != "" {
		t.Errorf("parsed init env (-want +got):\n%s", diff)
	}
	checkHostPath(t, pod, "/etc/cni/net.d", "/etc/cni/net.d", true)
	if _, v := volumeByMount(t, pod, "/etc/spiderpool"); v.EmptyDir == nil {
		t.Errorf("the readiness file's directory is %+v, want an emptyDir", v.VolumeSource)
	}
}

// TestInitJobWithoutOptionalObjects checks that init creates no coordinator
// with coordinator.enabled false, no subnet with subnets off, and no pool
// unless asked.
func TestInitJobWithoutOptionalObjects(t *testing.T) {
	e := newChartEnv(t)
	values := with("coordinator.enabled", false, "ipam.spiderSubnet.enable", false, "multus.enableMultusConfig", false)
	for k, v := range defaultPools {
		values[k] = v
	}
	set(values, "clusterDefaultPool.installIPv6IPPool", false)
	c := e.template(t, values).job(t, "spiderpool-init").Spec.Template.Spec.Containers[0]
	env, err := config.ParseInitEnv(lookupIn(c))
	if err != nil {
		t.Fatal(err)
	}
	if env.Coordinator != nil || env.IPv6 != nil || env.IPv4 == nil || env.IPv4.SubnetName != "" || env.EnableMultusConfig {
		t.Errorf("parsed init env: %+v (IPv4 %+v)", env, env.IPv4)
	}
}

// TestCleanupJob checks the pre-delete hook and that it goes with cleanup off.
func TestCleanupJob(t *testing.T) {
	e := newChartEnv(t)
	objs := e.template(t, nil)
	name := "spiderpool-controller-hook-pre-delete"
	job := objs.job(t, name)
	if a := objs["Job/"+name].Annotations; a["helm.sh/hook"] != "pre-delete" {
		t.Errorf("cleanup Job hook annotations %v", a)
	}
	c := job.Spec.Template.Spec.Containers[0]
	if diff := cmp.Diff([]string{"/usr/bin/spiderpool-controller"}, c.Command); diff != "" {
		t.Errorf("command (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"clean", "--validate", "spiderpool-controller", "--mutating", "spiderpool-controller"}, c.Args); diff != "" {
		t.Errorf("args (-want +got):\n%s", diff)
	}
	checkEnv(t, c, map[string]string{"SPIDERPOOL_POD_NAMESPACE": releaseNamespace, "SPIDERPOOL_INIT_NAME": "spiderpool-init",
		"SPIDERPOOL_HELM_RELEASE_NAME": "spiderpool", "SPIDERPOOL_HELM_RELEASE_NAMESPACE": releaseNamespace})
	if job.Spec.Template.Spec.ServiceAccountName != name {
		t.Errorf("cleanup runs as %s", job.Spec.Template.Spec.ServiceAccountName)
	}
	off := e.template(t, with("spiderpoolController.cleanup.enable", false))
	for _, kind := range []string{"Job", "ServiceAccount", "ClusterRole", "Role"} {
		if off.has(kind, name) {
			t.Errorf("cleanup off still renders %s/%s", kind, name)
		}
	}
}
