// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package autopool_test

import (
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/spiderpool-go/spiderpool/internal/allocator"
	"github.com/spiderpool-go/spiderpool/internal/autopool"
)

var meta = metav1.ObjectMeta{Namespace: "ns", Name: "web", UID: "1b4e28ba-2fa1-11d2-883f-0016d3cca427"}

func TestAppOfReplicas(t *testing.T) {
	jobSpec := func(par, comp *int32) batchv1.JobSpec { return batchv1.JobSpec{Parallelism: par, Completions: comp} }
	cases := []struct {
		obj        client.Object
		gv, kind   string
		replicas   int
		appliction string
	}{
		{&appsv1.Deployment{ObjectMeta: meta, Spec: appsv1.DeploymentSpec{Replicas: ptr.To[int32](3)}}, "apps_v1", "Deployment", 3, "apps_v1_Deployment_ns_web"},
		{&appsv1.Deployment{ObjectMeta: meta}, "apps_v1", "Deployment", 0, ""},
		{&appsv1.ReplicaSet{ObjectMeta: meta, Spec: appsv1.ReplicaSetSpec{Replicas: ptr.To[int32](2)}}, "apps_v1", "ReplicaSet", 2, ""},
		{&appsv1.StatefulSet{ObjectMeta: meta}, "apps_v1", "StatefulSet", 0, ""},
		{&appsv1.DaemonSet{ObjectMeta: meta, Status: appsv1.DaemonSetStatus{DesiredNumberScheduled: 4}}, "apps_v1", "DaemonSet", 4, ""},
		{&batchv1.Job{ObjectMeta: meta, Spec: jobSpec(nil, nil)}, "batch_v1", "Job", 1, "batch_v1_Job_ns_web"},
		{&batchv1.Job{ObjectMeta: meta, Spec: jobSpec(ptr.To[int32](5), nil)}, "batch_v1", "Job", 5, ""},
		{&batchv1.Job{ObjectMeta: meta, Spec: jobSpec(ptr.To[int32](0), nil)}, "batch_v1", "Job", 1, ""},
		{&batchv1.Job{ObjectMeta: meta, Spec: jobSpec(ptr.To[int32](5), ptr.To[int32](7))}, "batch_v1", "Job", 7, ""},
		{&batchv1.Job{ObjectMeta: meta, Spec: jobSpec(nil, ptr.To[int32](0))}, "batch_v1", "Job", 1, ""},
		{&batchv1.CronJob{ObjectMeta: meta, Spec: batchv1.CronJobSpec{JobTemplate: batchv1.JobTemplateSpec{Spec: jobSpec(ptr.To[int32](2), nil)}}},
			"batch_v1", "CronJob", 2, ""},
	}
	for _, c := range cases {
		app, ok := autopool.AppOf(c.obj)
		if !ok || app.GV() != c.gv || app.Kind != c.kind || app.Replicas != c.replicas || app.UID != meta.UID {
			t.Errorf("AppOf(%T) = %+v, %v; want %s %s replicas %d", c.obj, app, ok, c.gv, c.kind, c.replicas)
		}
		if c.appliction != "" && app.Application() != c.appliction {
			t.Errorf("Application() = %q, want %q", app.Application(), c.appliction)
		}
		if !autopool.IsBuiltin(app.GroupVersionKind()) {
			t.Errorf("IsBuiltin(%v) = false", app.GroupVersionKind())
		}
	}
	if _, ok := autopool.AppOf(&corev1.Pod{}); ok {
		t.Error("AppOf(Pod) = true")
	}
}

func TestCoreApplication(t *testing.T) {
	app := autopool.ThirdPartyApp(schema.GroupVersionKind{Version: "v1", Kind: "ReplicationController"}, "ns", "rc", "u")
	if app.GV() != "v1" || app.Application() != "v1_ReplicationController_ns_rc" {
		t.Errorf("core app: gv %q application %q", app.GV(), app.Application())
	}
	back, err := autopool.ParseApplication(app.Application())
	if err != nil || back.Group != "" || back.Version != "v1" || back.Kind != "ReplicationController" || back.Name != "rc" {
		t.Errorf("ParseApplication = %+v, %v", back, err)
	}
	for _, bad := range []string{"", "a_b", "apps_v1_Deployment", "a_b_c_d_e_f", "apps__Deployment_ns_n"} {
		if _, err := autopool.ParseApplication(bad); err == nil {
			t.Errorf("ParseApplication(%q) accepted", bad)
		}
	}
}

func TestPoolName(t *testing.T) {
	if got := autopool.PoolName(allocator.IPv4, "Nginx", "ETH0", "1b4e28ba-2fa1-11d2-883f-9a2b3cca427"); got != "auto4-nginx-eth0-9a2b3" {
		t.Errorf("PoolName = %q", got)
	}
	if got := autopool.PoolName(allocator.IPv6, "a", "net1", "abc"); got != "auto6-a-net1-abc" {
		t.Errorf("PoolName short uid = %q", got)
	}
	long := autopool.PoolName(allocator.IPv4, strings.Repeat("x", 300), "eth0", "0000-12345678")
	if len(long) != 253 || !strings.HasSuffix(long, "x-eth0-12345") {
		t.Errorf("long PoolName: len %d, %q", len(long), long[len(long)-20:])
	}
}
