// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package autopool

import (
	"fmt"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// App identifies the application an auto-created pool belongs to: the
// pod's top controller.
type App struct {
	// Group is the API group, "" for the core group.
	Group string
	// Version is the API version, e.g. "v1".
	Version string
	// Kind is the controller kind, e.g. "Deployment".
	Kind string
	// Namespace and Name locate the controller.
	Namespace, Name string
	// UID is the controller's UID.
	UID types.UID
	// Replicas is the number of pods the controller wants
	// (docs/reference/behaviour.md §5.1); 0 for third-party controllers.
	Replicas int
}

// GroupVersionKind returns the app's group, version and kind.
func (a App) GroupVersionKind() schema.GroupVersionKind {
	return schema.GroupVersionKind{Group: a.Group, Version: a.Version, Kind: a.Kind}
}

// GV is the owner-application-gv label value: "group_version", or
// "version" for the core group.
func (a App) GV() string {
	if a.Group == "" {
		return a.Version
	}
	return a.Group + "_" + a.Version
}

// Application is the "application" of the app's pools in the subnet's
// status.controlledIPPools: "<group>_<version>_<Kind>_<namespace>_<name>",
// the group left out for the core group.
func (a App) Application() string {
	return strings.Join([]string{a.GV(), a.Kind, a.Namespace, a.Name}, "_")
}

// String is the app for messages: "Deployment default/nginx".
func (a App) String() string {
	return a.Kind + " " + a.Namespace + "/" + a.Name
}

// ParseApplication parses an [App.Application] string; UID and Replicas
// are left empty. Kubernetes names and groups hold no "_", so the parts
// are unambiguous.
func ParseApplication(s string) (App, error) {
	parts := strings.Split(s, "_")
	if len(parts) == 4 {
		parts = append([]string{""}, parts...)
	}
	if len(parts) != 5 || parts[1] == "" || parts[2] == "" || parts[3] == "" || parts[4] == "" {
		return App{}, fmt.Errorf("application %q: expected <group>_<version>_<Kind>_<namespace>_<name> (group empty or left out for the core group)", s)
	}
	return App{Group: parts[0], Version: parts[1], Kind: parts[2], Namespace: parts[3], Name: parts[4]}, nil
}

// Built-in controller kinds whose pools the application controller makes.
var (
	deploymentGVK  = appsv1.SchemeGroupVersion.WithKind("Deployment")
	replicaSetGVK  = appsv1.SchemeGroupVersion.WithKind("ReplicaSet")
	statefulSetGVK = appsv1.SchemeGroupVersion.WithKind("StatefulSet")
	daemonSetGVK   = appsv1.SchemeGroupVersion.WithKind("DaemonSet")
	jobGVK         = batchv1.SchemeGroupVersion.WithKind("Job")
	cronJobGVK     = batchv1.SchemeGroupVersion.WithKind("CronJob")
)

// IsBuiltin reports whether gvk is one of the six Kubernetes controllers
// whose pools spiderpool-controller makes (Deployment, ReplicaSet,
// StatefulSet, DaemonSet, Job, CronJob). Pools of other controllers are
// made by the agent, with a fixed size only.
func IsBuiltin(gvk schema.GroupVersionKind) bool {
	switch gvk {
	case deploymentGVK, replicaSetGVK, statefulSetGVK, daemonSetGVK, jobGVK, cronJobGVK:
		return true
	}
	return false
}

// AppOf returns the App of a built-in controller object with its replicas
// (docs/reference/behaviour.md §5.1), or false for any other object.
func AppOf(obj client.Object) (App, bool) {
	var gvk schema.GroupVersionKind
	var replicas int
	switch o := obj.(type) {
	case *appsv1.Deployment:
		gvk, replicas = deploymentGVK, int(deref(o.Spec.Replicas))
	case *appsv1.ReplicaSet:
		gvk, replicas = replicaSetGVK, int(deref(o.Spec.Replicas))
	case *appsv1.StatefulSet:
		gvk, replicas = statefulSetGVK, int(deref(o.Spec.Replicas))
	case *appsv1.DaemonSet:
		gvk, replicas = daemonSetGVK, int(o.Status.DesiredNumberScheduled)
	case *batchv1.Job:
		gvk, replicas = jobGVK, jobReplicas(o.Spec.Parallelism, o.Spec.Completions)
	case *batchv1.CronJob:
		spec := o.Spec.JobTemplate.Spec
		gvk, replicas = cronJobGVK, jobReplicas(spec.Parallelism, spec.Completions)
	default:
		return App{}, false
	}
	app := ThirdPartyApp(gvk, obj.GetNamespace(), obj.GetName(), obj.GetUID())
	app.Replicas = replicas
	return app, true
}

// ThirdPartyApp returns the App of any controller, without replicas: a
// third-party controller's pool has a fixed size.
func ThirdPartyApp(gvk schema.GroupVersionKind, namespace, name string, uid types.UID) App {
	return App{Group: gvk.Group, Version: gvk.Version, Kind: gvk.Kind, Namespace: namespace, Name: name, UID: uid}
}

// jobReplicas is a Job's pod count as Spiderpool counts it: completions
// when set, else parallelism when set, else 1; 0 counts as 1.
func jobReplicas(parallelism, completions *int32) int {
	n := int32(1)
	switch {
	case completions != nil:
		n = *completions
	case parallelism != nil:
		n = *parallelism
	}
	return int(max(n, 1))
}

func deref(p *int32) int32 {
	if p == nil {
		return 0
	}
	return *p
}
