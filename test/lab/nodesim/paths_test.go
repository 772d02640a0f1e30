// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package nodesim

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
)

func chartPaths() pathMap {
	return newPathMap([]mount{
		{containerPath: "/tmp/spiderpool/config-map", hostPath: "/lab/pods/u1/volumes/config-path"},
		{containerPath: "/var/run/spidernet", hostPath: "/lab/rootfs/var/run/spidernet"},
		{containerPath: "/etc/tls", hostPath: "/lab/pods/u1/volumes/tls"},
		{containerPath: "/etc/tls/ca", hostPath: "/lab/pods/u1/volumes/ca"},
		{containerPath: "/", hostPath: "/never"},
	})
}

func TestPathMapTranslate(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"flag value", "--config-path=/tmp/spiderpool/config-map/conf.yml", "--config-path=/lab/pods/u1/volumes/config-path/conf.yml"},
		{"whole mount path", "/etc/tls", "/lab/pods/u1/volumes/tls"},
		{"nested mount wins", "/etc/tls/ca/ca.crt", "/lab/pods/u1/volumes/ca/ca.crt"},
		{"yaml value", "ipamUnixSocketPath: /var/run/spidernet/spiderpool.sock\n", "ipamUnixSocketPath: /lab/rootfs/var/run/spidernet/spiderpool.sock\n"},
		{"quoted", `"/etc/tls/tls.crt"`, `"/lab/pods/u1/volumes/tls/tls.crt"`},
		{"longer element untouched", "/etc/tlsx/a", "/etc/tlsx/a"},
		{"inside another path untouched", "/opt/etc/tls/a", "/opt/etc/tls/a"},
		{"two in one string", "/etc/tls,/var/run/spidernet", "/lab/pods/u1/volumes/tls,/lab/rootfs/var/run/spidernet"},
		{"not a path", "info", "info"},
		{"empty", "", ""},
	}
	pm := chartPaths()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, pm.translate(tt.in)); diff != "" {
				t.Errorf("translate(%q) (-want +got):\n%s", tt.in, diff)
			}
		})
	}
}

func TestContainerPathsAndVolumeDirs(t *testing.T) {
	dirType := corev1.HostPathDirectoryOrCreate
	pod := &corev1.Pod{Spec: corev1.PodSpec{Volumes: []corev1.Volume{
		{Name: "conf", VolumeSource: corev1.VolumeSource{ConfigMap: &corev1.ConfigMapVolumeSource{}}},
		{Name: "sock", VolumeSource: corev1.VolumeSource{HostPath: &corev1.HostPathVolumeSource{Path: "/var/run/spidernet", Type: &dirType}}},
		{Name: "tls", VolumeSource: corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{}}},
	}}}
	dirs := volumeDirs(pod, "/n1/rootfs", "/n1/pods/u1")
	want := map[string]string{"conf": "/n1/pods/u1/volumes/conf", "sock": "/n1/rootfs/var/run/spidernet", "tls": "/n1/pods/u1/volumes/tls"}
	if diff := cmp.Diff(want, dirs); diff != "" {
		t.Fatalf("volumeDirs (-want +got):\n%s", diff)
	}
	c := &corev1.Container{VolumeMounts: []corev1.VolumeMount{
		{Name: "conf", MountPath: "/tmp/spiderpool/config-map"},
		{Name: "tls", MountPath: "/etc/tls/key.pem", SubPath: "key.pem"},
		{Name: "missing", MountPath: "/x"},
	}}
	got := containerPaths(c, dirs).translate("/tmp/spiderpool/config-map/conf.yml /etc/tls/key.pem /x")
	if want := "/n1/pods/u1/volumes/conf/conf.yml /n1/pods/u1/volumes/tls/key.pem /x"; got != want {
		t.Errorf("translate = %q, want %q", got, want)
	}
}

// FuzzPathMapTranslate: translation never panics, leaves strings without a
// mount path alone and never leaves a whole mount path behind.
func FuzzPathMapTranslate(f *testing.F) {
	for _, s := range []string{"/etc/tls/a", "--x=/var/run/spidernet", "/etc/tlsx", "", "//", "/etc/tls/ca/"} {
		f.Add(s)
	}
	pm := chartPaths()
	f.Fuzz(func(t *testing.T, s string) {
		got := pm.translate(s)
		if !strings.Contains(s, "/") && got != s {
			t.Fatalf("translate(%q) = %q; want it unchanged", s, got)
		}
		if strings.Contains(got, "/lab/") == strings.Contains(s, "/lab/") && got != s {
			t.Fatalf("translate(%q) = %q changed the string without inserting a host path", s, got)
		}
	})
}
