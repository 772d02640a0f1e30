// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package chart_test

import (
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"

	"github.com/spiderpool-go/spiderpool/internal/config"
)

// lookupIn returns a LookupFunc over c's environment, with the downward-API
// variables given values as the kubelet would.
func lookupIn(c corev1.Container) config.LookupFunc {
	env := envOf(c)
	return func(name string) (string, bool) {
		v, ok := env[name]
		if ok && len(v) > len("fieldRef:") && v[:len("fieldRef:")] == "fieldRef:" {
			return "from-" + v[len("fieldRef:"):], true
		}
		return v, ok
	}
}

// TestAgentDaemonSet checks the agent's command, environment, probes and
// volumes (docs/reference/interface.md §9.2, §9.3) and that our config
// parser accepts them.
func TestAgentDaemonSet(t *testing.T) {
	e := newChartEnv(t)
	objs := e.template(t, with("multus.multusCNI.defaultCniCRName", "macvlan-eth0", "spiderpoolAgent.prometheus.enabled", true))
	pod := objs.daemonSet(t, "spiderpool-agent").Spec.Template.Spec
	c := pod.Containers[0]
	if diff := cmp.Diff([]string{"/usr/bin/spiderpool-agent"}, c.Command); diff != "" {
		t.Errorf("command (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"daemon", "--config-path=/tmp/spiderpool/config-map/conf.yml"}, c.Args); diff != "" {
		t.Errorf("args (-want +got):\n%s", diff)
	}
	if !pod.HostNetwork || pod.DNSPolicy != corev1.DNSClusterFirstWithHostNet || pod.ServiceAccountName != "spiderpool-agent" {
		t.Errorf("hostNetwork %v dnsPolicy %s serviceAccount %s", pod.HostNetwork, pod.DNSPolicy, pod.ServiceAccountName)
	}
	checkEnv(t, c, map[string]string{
		"SPIDERPOOL_LOG_LEVEL": "info", "SPIDERPOOL_ENABLED_METRIC": "true", "SPIDERPOOL_ENABLED_DEBUG_METRIC": "false",
		"SPIDERPOOL_ENABLED_RDMA_METRIC": "false", "SPIDERPOOL_METRIC_HTTP_PORT": "5711", "SPIDERPOOL_HEALTH_PORT": "5710",
		"SPIDERPOOL_GOPS_LISTEN_PORT": "5712", "SPIDERPOOL_POD_NAME": "fieldRef:metadata.name",
		"SPIDERPOOL_POD_NAMESPACE": "fieldRef:metadata.namespace", "SPIDERPOOL_NODE_NAME": "fieldRef:spec.nodeName",
		"MULTUS_CLUSTER_NETWORK": releaseNamespace + "/macvlan-eth0",
		"GOMAXPROCS":             "resourceFieldRef:spiderpool-agent/limits.cpu/1",
	})
	// GOMAXPROCS is the CPU limit rounded up: 1 by default, as the
	// process-mode lab starts its agents (test/lab.AgentGOMAXPROCS).
	if lim := c.Resources.Limits.Cpu(); lim.MilliValue() != 1000 || c.Name != "spiderpool-agent" {
		t.Errorf("container %s: limits.cpu %s, want 1 CPU (GOMAXPROCS=1)", c.Name, lim)
	}
	env, err := config.ParseAgentEnv(lookupIn(c))
	if err != nil {
		t.Fatalf("the agent rejects the chart's environment: %v", err)
	}
	if env.HealthPort != 5710 || env.NodeName != "from-spec.nodeName" {
		t.Errorf("parsed agent env: health port %d node %q", env.HealthPort, env.NodeName)
	}
	checkProbes(t, c, "127.0.0.1", 5710)
	if c.SecurityContext == nil || c.SecurityContext.Privileged == nil || !*c.SecurityContext.Privileged {
		t.Errorf("tuneSysctlConfig is on by default: the agent must be privileged, securityContext %v", c.SecurityContext)
	}
	checkHostPath(t, pod, "/host/opt/cni/bin", "/opt/cni/bin", false)
	checkHostPath(t, pod, "/var/run/spidernet", "/var/run/spidernet", false)
	if _, v := volumeByMount(t, pod, "/tmp/spiderpool/config-map"); v.ConfigMap == nil || v.ConfigMap.Name != "spiderpool-conf" {
		t.Errorf("config volume %+v", v)
	}
	if !objs.has("Service", "spiderpool-agent") {
		t.Error("agent metrics on but no agent Service")
	}
}

// TestAgentFollowsValues checks values that move the agent: no privilege
// without sysctl tuning, ::1 probes on IPv6-only clusters, another socket
// directory, no agent Service without metrics.
func TestAgentFollowsValues(t *testing.T) {
	e := newChartEnv(t)
	objs := e.template(t, with("ipam.enableIPv4", false, "spiderpoolAgent.tuneSysctlConfig", false,
		"global.ipamUNIXSocketHostPath", "/run/sp/ipam.sock", "spiderpoolAgent.httpPort", 6710,
		"spiderpoolAgent.binName", "/opt/bin/agent"))
	pod := objs.daemonSet(t, "spiderpool-agent").Spec.Template.Spec
	c := pod.Containers[0]
	checkProbes(t, c, "::1", 6710)
	if c.SecurityContext != nil && c.SecurityContext.Privileged != nil && *c.SecurityContext.Privileged {
		t.Error("privileged without tuneSysctlConfig or RDMA metrics")
	}
	checkHostPath(t, pod, "/run/sp", "/run/sp", false)
	if c.Command[0] != "/opt/bin/agent" {
		t.Errorf("command %v", c.Command)
	}
	checkEnv(t, c, map[string]string{"MULTUS_CLUSTER_NETWORK": "<absent>", "SPIDERPOOL_HEALTH_PORT": "6710"})
	if objs.has("Service", "spiderpool-agent") {
		t.Error("agent Service rendered with agent metrics off")
	}
}

// checkProbes checks the three HTTP probes of c.
func checkProbes(t *testing.T, c corev1.Container, host string, port int) {
	t.Helper()
	for name, p := range map[string]*corev1.Probe{"startup": c.StartupProbe, "liveness": c.LivenessProbe, "readiness": c.ReadinessProbe} {
		if p == nil || p.HTTPGet == nil {
			t.Errorf("%s: no %s HTTP probe", c.Name, name)
			continue
		}
		g := p.HTTPGet
		if g.Host != host || g.Port.IntValue() != port || g.Path != "/v1/runtime/"+name {
			t.Errorf("%s %s probe: host %q port %s path %s, want %s:%d /v1/runtime/%s", c.Name, name, g.Host, g.Port.String(), g.Path, host, port, name)
		}
	}
}

// checkHostPath checks that hostPath path is mounted at mountPath.
func checkHostPath(t *testing.T, pod corev1.PodSpec, mountPath, hostPath string, readOnly bool) {
	t.Helper()
	m, v := volumeByMount(t, pod, mountPath)
	if v.HostPath == nil || v.HostPath.Path != hostPath || m.ReadOnly != readOnly {
		t.Errorf("mount %s: volume %+v read-only %v, want hostPath %s read-only %v", mountPath, v.VolumeSource, m.ReadOnly, hostPath, readOnly)
	}
}

// TestControllerDeployment checks the controller's arguments, environment
// (GC switches follow ipam.gc.*), probes and volumes, and that our config
// parser accepts the environment.
func TestControllerDeployment(t *testing.T) {
	e := newChartEnv(t)
	objs := e.template(t, with("ipam.gc.enabled", false, "ipam.gc.statelessPod.zombieOnReadyNode", false,
		"ipam.gc.statelessPod.enableGcRunningPodOnEmptyPodStatusIPs", true, "ipam.gc.gcAll.intervalInSecond", 300,
		"ipam.gc.gcDeletingTimeOutPodDelay", 7, "coordinator.name", "cc", "multus.enableMultusConfig", false,
		"spiderpoolController.tls.auto.extraIpAddresses", []any{"127.0.0.1", "::1"},
		"spiderpoolController.tls.auto.extraDnsNames", []any{"a.example"}))
	pod := objs.deployment(t, "spiderpool-controller").Spec.Template.Spec
	c := pod.Containers[0]
	wantArgs := []string{"daemon", "--config-path=/tmp/spiderpool/config-map/conf.yml",
		"--tls-server-cert=/etc/tls/tls.crt", "--tls-server-key=/etc/tls/tls.key", "--tls-method=auto",
		"--tls-secret-name=spiderpool-controller-server-certs", "--tls-service-name=spiderpool-controller",
		"--mutating-webhook-configuration=spiderpool-controller", "--validating-webhook-configuration=spiderpool-controller",
		"--tls-ca-expiration-days=73000", "--tls-cert-expiration-days=73000",
		"--tls-extra-ip-addresses=127.0.0.1,::1", "--tls-extra-dns-names=a.example"}
	if diff := cmp.Diff(wantArgs, c.Args); diff != "" {
		t.Errorf("args (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"/usr/bin/spiderpool-controller"}, c.Command); diff != "" {
		t.Errorf("command (-want +got):\n%s", diff)
	}
	checkEnv(t, c, map[string]string{
		"SPIDERPOOL_GC_IP_ENABLED": "false", "SPIDERPOOL_GC_STATELESS_TERMINATING_POD_ON_READY_NODE_ENABLED": "false",
		"SPIDERPOOL_GC_STATELESS_TERMINATING_POD_ON_NOT_READY_NODE_ENABLED":  "true",
		"SPIDERPOOL_GC_ENABLE_STATELESS_RUNNING_POD_ON_EMPTY_POD_STATUS_IPS": "true",
		"SPIDERPOOL_GC_DEFAULT_INTERVAL_DURATION":                            "300", "SPIDERPOOL_GC_ADDITIONAL_GRACE_DELAY": "7",
		"SPIDERPOOL_COORDINATOR_ENABLED": "true", "SPIDERPOOL_COORDINATOR_DEAFULT_NAME": "cc",
		"SPIDERPOOL_MULTUS_CONFIG_ENABLED": "false", "SPIDERPOOL_CNI_CONFIG_DIR": "/etc/cni/net.d",
		"SPIDERPOOL_CILIUM_CONFIGMAP_NAMESPACE_NAME": "kube-system/cilium-config",
		"SPIDERPOOL_CONTROLLER_DEPLOYMENT_NAME":      "spiderpool-controller", "SPIDERPOOL_WEBHOOK_PORT": "5722",
		"SPIDERPOOL_HEALTH_PORT": "5720", "SPIDERPOOL_METRIC_HTTP_PORT": "5721", "SPIDERPOOL_GOPS_LISTEN_PORT": "5724",
		"SPIDERPOOL_POD_NAME": "fieldRef:metadata.name", "SPIDERPOOL_POD_NAMESPACE": "fieldRef:metadata.namespace",
	})
	env, err := config.ParseControllerEnv(lookupIn(c))
	if err != nil {
		t.Fatalf("the controller rejects the chart's environment: %v", err)
	}
	if env.GC.Enabled || env.GC.DefaultInterval != 300*time.Second || env.GC.AdditionalGraceDelay != 7*time.Second ||
		env.DefaultCoordinatorName != "cc" || env.EnableMultusConfig || !env.EnableCoordinator {
		t.Errorf("parsed controller env: %+v", env)
	}
	checkProbes(t, c, "127.0.0.1", 5720)
	checkHostPath(t, pod, "/etc/cni/net.d", "/etc/cni/net.d", true)
	if m, v := volumeByMount(t, pod, "/etc/tls"); v.EmptyDir == nil || m.ReadOnly {
		t.Errorf("tls auto: /etc/tls must be a writable emptyDir, got %+v read-only %v", v.VolumeSource, m.ReadOnly)
	}
	for _, v := range pod.Volumes {
		if v.Secret != nil {
			t.Errorf("tls auto mounts Secret %s", v.Secret.SecretName)
		}
	}
}

// TestControllerWithoutHostNetwork checks that the probes then target the
// pod, not the node's loopback.
func TestControllerWithoutHostNetwork(t *testing.T) {
	e := newChartEnv(t)
	pod := e.template(t, with("spiderpoolController.hostnetwork", false)).deployment(t, "spiderpool-controller").Spec.Template.Spec
	if pod.HostNetwork || pod.DNSPolicy == corev1.DNSClusterFirstWithHostNet {
		t.Errorf("hostNetwork %v dnsPolicy %s", pod.HostNetwork, pod.DNSPolicy)
	}
	checkProbes(t, pod.Containers[0], "", 5720)
}

// TestControllerTLSProvided checks the mounted Secret and the method flag.
func TestControllerTLSProvided(t *testing.T) {
	e := newChartEnv(t)
	for _, method := range []string{"provided", "certmanager"} {
		values := with("spiderpoolController.tls.method", method)
		if method == "provided" {
			values = providedTLS
		}
		objs := e.template(t, values)
		pod := objs.deployment(t, "spiderpool-controller").Spec.Template.Spec
		if !slices.Contains(pod.Containers[0].Args, "--tls-method=provided") {
			t.Errorf("%s: args %v lack --tls-method=provided", method, pod.Containers[0].Args)
		}
		if _, v := volumeByMount(t, pod, "/etc/tls"); v.Secret == nil || v.Secret.SecretName != "spiderpool-controller-server-certs" {
			t.Errorf("%s: /etc/tls is %+v, want the Secret", method, v.VolumeSource)
		}
	}
}

// TestControllerClusterDomain checks that a cluster DNS domain other than
// cluster.local reaches the certificate's names.
func TestControllerClusterDomain(t *testing.T) {
	e := newChartEnv(t)
	args := e.template(t, with("global.clusterDnsDomain", "corp.local", "spiderpoolController.tls.auto.extraDnsNames", []any{"x.example"})).
		deployment(t, "spiderpool-controller").Spec.Template.Spec.Containers[0].Args
	want := "--tls-extra-dns-names=x.example,spiderpool-controller." + releaseNamespace + ".svc.corp.local"
	if !slices.Contains(args, want) {
		t.Errorf("args %v lack %s", args, want)
	}
}

// TestImages checks image references: appVersion tags, the registry
// override, digests, and the init Job's fallback to the controller image.
func TestImages(t *testing.T) {
	e := newChartEnv(t)
	objs := e.template(t, with("global.imageRegistryOverride", "mirror.example", "spiderpoolController.image.tag", "v9",
		"spiderpoolAgent.image.digest", "sha256:abc"))
	for _, tc := range []struct{ got, want string }{
		{objs.daemonSet(t, "spiderpool-agent").Spec.Template.Spec.Containers[0].Image, "mirror.example/spidernet-io/spiderpool/spiderpool-agent@sha256:abc"},
		{objs.deployment(t, "spiderpool-controller").Spec.Template.Spec.Containers[0].Image, "mirror.example/spidernet-io/spiderpool/spiderpool-controller:v9"},
		{objs.job(t, "spiderpool-init").Spec.Template.Spec.Containers[0].Image, "mirror.example/spidernet-io/spiderpool/spiderpool-controller:v9"},
		{objs.job(t, "spiderpool-controller-hook-pre-delete").Spec.Template.Spec.Containers[0].Image, "mirror.example/spidernet-io/spiderpool/spiderpool-controller:v9"},
	} {
		if tc.got != tc.want {
			t.Errorf("image %s, want %s", tc.got, tc.want)
		}
	}
}
