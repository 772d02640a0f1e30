// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package chart_test

import (
	"encoding/json"
	"slices"
	"testing"

	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
)

const multusName = "spiderpool-multus"

// multusContainer returns the named container of the Multus DaemonSet.
func multusContainer(t *testing.T, p corev1.PodSpec, name string) corev1.Container {
	t.Helper()
	for _, c := range append(slices.Clone(p.InitContainers), p.Containers...) {
		if c.Name == name {
			return c
		}
	}
	t.Fatalf("no container %s in the Multus DaemonSet", name)
	return corev1.Container{}
}

// TestMultusInstalledByDefault checks the default Multus: the upstream
// image's thin entrypoint in auto mode, its binary installed by
// install_multus, and RBAC limited to what the thin plugin reads and writes.
func TestMultusInstalledByDefault(t *testing.T) {
	objs := newChartEnv(t).template(t, nil)
	ds := objs.daemonSet(t, multusName)
	p := ds.Spec.Template.Spec
	if !p.HostNetwork || p.ServiceAccountName != multusName {
		t.Errorf("hostNetwork %v, serviceAccount %q", p.HostNetwork, p.ServiceAccountName)
	}
	install := multusContainer(t, p, "install-multus-binary")
	if install.Image != "ghcr.io/k8snetworkplumbingwg/multus-cni:v4.1.4" || !slices.Equal(install.Command, []string{"/install_multus"}) ||
		!slices.Equal(install.Args, []string{"--type", "thin"}) {
		t.Errorf("install container %s %v %v", install.Image, install.Command, install.Args)
	}
	main := multusContainer(t, p, "kube-multus")
	for _, want := range []string{"--multus-conf-file=auto", "--multus-autoconfig-dir=/host/etc/cni/net.d",
		"--cni-conf-dir=/host/etc/cni/net.d", "--multus-log-level=debug", "--multus-log-file=/var/log/multus.log"} {
		if !slices.Contains(main.Args, want) {
			t.Errorf("kube-multus args %v lack %s", main.Args, want)
		}
	}
	if main.Lifecycle != nil {
		t.Errorf("uninstall is off, yet kube-multus has a lifecycle: %+v", main.Lifecycle)
	}
	if _, v := volumeByMount(t, p, "/host/etc/cni/net.d"); v.HostPath == nil || v.HostPath.Path != "/etc/cni/net.d" {
		t.Errorf("CNI conf volume %+v", v)
	}
	if objs.has("ConfigMap", multusName) {
		t.Error("ConfigMap rendered without defaultCniCRName")
	}
	checkMultusRBAC(t, objs)
}

// checkMultusRBAC checks that the Multus ServiceAccount is bound to a role
// that reads NADs and updates pods, and no more.
func checkMultusRBAC(t *testing.T, objs objects) {
	t.Helper()
	role, binding := &rbacv1.ClusterRole{}, &rbacv1.ClusterRoleBinding{}
	objs.decode(t, "ClusterRole", multusName, role)
	objs.decode(t, "ClusterRoleBinding", multusName, binding)
	if !objs.has("ServiceAccount", multusName) || binding.RoleRef.Name != multusName || len(binding.Subjects) != 1 ||
		binding.Subjects[0].Name != multusName || binding.Subjects[0].Namespace != releaseNamespace {
		t.Errorf("binding %+v", binding)
	}
	want := map[string][]string{"network-attachment-definitions": {"get", "list", "watch"}, "pods": {"get", "update"},
		"pods/status": {"get", "update"}, "events": {"create", "patch", "update"}}
	got := map[string][]string{}
	for _, r := range role.Rules {
		for _, res := range r.Resources {
			got[res] = r.Verbs
		}
	}
	for res, verbs := range want {
		if !slices.Equal(got[res], verbs) {
			t.Errorf("ClusterRole %s: %s verbs %v, want %v", multusName, res, got[res], verbs)
		}
	}
	if len(got) != len(want) {
		t.Errorf("ClusterRole %s grants %v, want only %v", multusName, got, want)
	}
}

// TestMultusClusterNetwork checks defaultCniCRName: the ConfigMap's
// 00-multus.conf names it as clusterNetwork, the entrypoint copies that
// file, and a second entrypoint keeps the kubeconfig it names.
func TestMultusClusterNetwork(t *testing.T) {
	objs := newChartEnv(t).template(t, with("multus.multusCNI.defaultCniCRName", "calico", "multus.multusCNI.uninstall", true))
	conf := map[string]any{}
	if err := json.Unmarshal([]byte(objs.configMap(t, multusName).Data["00-multus.conf"]), &conf); err != nil {
		t.Fatalf("00-multus.conf: %v", err)
	}
	for k, v := range map[string]any{"type": "multus", "name": "multus-cni-network", "cniVersion": "0.3.1", "clusterNetwork": "calico",
		"multusNamespace": releaseNamespace, "kubeconfig": "/etc/cni/net.d/multus.d/multus.kubeconfig", "confDir": "/etc/cni/net.d"} {
		if conf[k] != v {
			t.Errorf("00-multus.conf %s = %v, want %v", k, conf[k], v)
		}
	}
	p := objs.daemonSet(t, multusName).Spec.Template.Spec
	main := multusContainer(t, p, "kube-multus")
	if !slices.Contains(main.Args, "--multus-conf-file=/tmp/multus-conf/00-multus.conf") || slices.Contains(main.Args, "--multus-conf-file=auto") {
		t.Errorf("kube-multus args %v", main.Args)
	}
	if _, v := volumeByMount(t, p, "/tmp/multus-conf"); v.ConfigMap == nil || v.ConfigMap.Name != multusName {
		t.Errorf("multus conf volume %+v", v)
	}
	kubeconfig := multusContainer(t, p, "multus-kubeconfig")
	if !slices.Contains(kubeconfig.Args, "--cni-conf-dir=/scratch") {
		t.Errorf("kubeconfig container args %v", kubeconfig.Args)
	}
	if !slices.ContainsFunc(kubeconfig.VolumeMounts, func(m corev1.VolumeMount) bool { return m.Name == "multus-d" && m.MountPath == "/scratch/multus.d" }) ||
		!slices.ContainsFunc(p.Volumes, func(v corev1.Volume) bool {
			return v.Name == "multus-d" && v.HostPath != nil && v.HostPath.Path == "/etc/cni/net.d/multus.d"
		}) {
		t.Errorf("the kubeconfig container does not write the host's multus.d: mounts %v", kubeconfig.VolumeMounts)
	}
	if main.Lifecycle == nil || main.Lifecycle.PreStop == nil || main.Lifecycle.PreStop.Exec == nil ||
		!slices.Contains(main.Lifecycle.PreStop.Exec.Command, "rm -rf /host/etc/cni/net.d/00-multus.conf /host/etc/cni/net.d/multus.d /host/opt/cni/bin/multus") {
		t.Errorf("uninstall: kube-multus preStop %+v", main.Lifecycle)
	}
	if objs.configMap(t, "spiderpool-conf").Data["clusterNetwork"] != "calico" {
		t.Errorf("spiderpool-conf clusterNetwork %q", objs.configMap(t, "spiderpool-conf").Data["clusterNetwork"])
	}
}

// TestMultusNotInstalled checks install false renders none of it.
func TestMultusNotInstalled(t *testing.T) {
	objs := newChartEnv(t).template(t, with("multus.multusCNI.install", false, "multus.multusCNI.defaultCniCRName", "calico"))
	for _, kind := range []string{"DaemonSet", "ConfigMap", "ServiceAccount", "ClusterRole", "ClusterRoleBinding"} {
		if objs.has(kind, multusName) {
			t.Errorf("%s %s rendered with install false", kind, multusName)
		}
	}
}
