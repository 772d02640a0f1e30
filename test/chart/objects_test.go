// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package chart_test

import (
	"fmt"
	"sort"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/yaml"
)

// object is one rendered manifest.
type object struct {
	Kind, Name, Namespace string
	Annotations           map[string]string
	raw                   []byte
}

// objects are the manifests of one render, by "Kind/name".
type objects map[string]object

// parseObjects splits helm's output into manifests.
func parseObjects(t *testing.T, out string) objects {
	t.Helper()
	objs := objects{}
	for _, doc := range strings.Split("\n"+out, "\n---\n") {
		var meta struct {
			Kind     string `json:"kind"`
			Metadata struct {
				Name        string            `json:"name"`
				Namespace   string            `json:"namespace"`
				Annotations map[string]string `json:"annotations"`
			} `json:"metadata"`
		}
		if err := yaml.Unmarshal([]byte(doc), &meta); err != nil {
			t.Fatalf("rendered document does not parse: %v\n%s", err, doc)
		}
		if meta.Kind == "" {
			continue
		}
		key := meta.Kind + "/" + meta.Metadata.Name
		if _, dup := objs[key]; dup {
			t.Fatalf("%s rendered twice", key)
		}
		objs[key] = object{Kind: meta.Kind, Name: meta.Metadata.Name, Namespace: meta.Metadata.Namespace,
			Annotations: meta.Metadata.Annotations, raw: []byte(doc)}
	}
	return objs
}

// has reports whether kind/name was rendered.
func (o objects) has(kind, name string) bool {
	_, ok := o[kind+"/"+name]
	return ok
}

// keys returns the sorted "Kind/name" of every object of kind.
func (o objects) keys(kind string) []string {
	var out []string
	for k, obj := range o {
		if obj.Kind == kind {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}

// decode parses kind/name into out, failing t when it is missing.
func (o objects) decode(t *testing.T, kind, name string, out any) {
	t.Helper()
	obj, ok := o[kind+"/"+name]
	if !ok {
		t.Fatalf("%s/%s not rendered; have %v", kind, name, o.keys(kind))
	}
	if err := yaml.UnmarshalStrict(obj.raw, out); err != nil {
		t.Fatalf("%s/%s: %v", kind, name, err)
	}
}

func (o objects) daemonSet(t *testing.T, name string) *appsv1.DaemonSet {
	t.Helper()
	ds := &appsv1.DaemonSet{}
	o.decode(t, "DaemonSet", name, ds)
	return ds
}

func (o objects) deployment(t *testing.T, name string) *appsv1.Deployment {
	t.Helper()
	d := &appsv1.Deployment{}
	o.decode(t, "Deployment", name, d)
	return d
}

func (o objects) job(t *testing.T, name string) *batchv1.Job {
	t.Helper()
	j := &batchv1.Job{}
	o.decode(t, "Job", name, j)
	return j
}

func (o objects) configMap(t *testing.T, name string) *corev1.ConfigMap {
	t.Helper()
	cm := &corev1.ConfigMap{}
	o.decode(t, "ConfigMap", name, cm)
	return cm
}

// envOf returns the literal env values of c and the fieldRef paths, as
// "fieldRef:<path>".
func envOf(c corev1.Container) map[string]string {
	out := map[string]string{}
	for _, e := range c.Env {
		switch {
		case e.ValueFrom != nil && e.ValueFrom.FieldRef != nil:
			out[e.Name] = "fieldRef:" + e.ValueFrom.FieldRef.FieldPath
		case e.ValueFrom != nil && e.ValueFrom.ResourceFieldRef != nil:
			r := e.ValueFrom.ResourceFieldRef
			out[e.Name] = "resourceFieldRef:" + r.ContainerName + "/" + r.Resource + "/" + r.Divisor.String()
		default:
			out[e.Name] = e.Value
		}
	}
	return out
}

// checkEnv reports every want entry that c's environment lacks or differs
// from ("<absent>" wants the variable unset).
func checkEnv(t *testing.T, c corev1.Container, want map[string]string) {
	t.Helper()
	got := envOf(c)
	for k, v := range want {
		g, ok := got[k]
		if v == "<absent>" {
			if ok {
				t.Errorf("container %s: env %s = %q, want it unset", c.Name, k, g)
			}
			continue
		}
		if !ok || g != v {
			t.Errorf("container %s: env %s = %q (set %v), want %q", c.Name, k, g, ok, v)
		}
	}
}

// volumeByMount returns the volume mounted at path in pod spec p.
func volumeByMount(t *testing.T, p corev1.PodSpec, path string) (corev1.VolumeMount, corev1.Volume) {
	t.Helper()
	for _, m := range p.Containers[0].VolumeMounts {
		if m.MountPath != path {
			continue
		}
		for _, v := range p.Volumes {
			if v.Name == m.Name {
				return m, v
			}
		}
		t.Fatalf("mount %s names volume %s, which is missing", path, m.Name)
	}
	t.Fatalf("nothing mounted at %s; mounts %s", path, fmt.Sprint(p.Containers[0].VolumeMounts))
	return corev1.VolumeMount{}, corev1.Volume{}
}
