// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package controller

import (
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// appKind is one of the six controller kinds whose pods get auto-created
// pools from spiderpool-controller (docs/reference/behaviour.md §5.4).
type appKind struct {
	// name is the kind, e.g. "Deployment".
	name string
	// gv is the owner-application-gv label value of the kind.
	gv string
	// newObj returns an empty object of the kind.
	newObj func() client.Object
	// template returns the pod template of obj.
	template func(obj client.Object) *corev1.PodTemplateSpec
	// ownedBy is the owner kind whose apps of this kind are left to it
	// ("Deployment" for ReplicaSets, "CronJob" for Jobs), or "".
	ownedBy string
}

// appKinds are the six kinds, in the order their controllers start.
func appKinds() []appKind {
	return []appKind{
		{name: "Deployment", gv: "apps_v1", newObj: func() client.Object { return &appsv1.Deployment{} },
			template: templateOf(func(o *appsv1.Deployment) *corev1.PodTemplateSpec { return &o.Spec.Template })},
		{name: "ReplicaSet", gv: "apps_v1", newObj: func() client.Object { return &appsv1.ReplicaSet{} }, ownedBy: "Deployment",
			template: templateOf(func(o *appsv1.ReplicaSet) *corev1.PodTemplateSpec { return &o.Spec.Template })},
		{name: "StatefulSet", gv: "apps_v1", newObj: func() client.Object { return &appsv1.StatefulSet{} },
			template: templateOf(func(o *appsv1.StatefulSet) *corev1.PodTemplateSpec { return &o.Spec.Template })},
		{name: "DaemonSet", gv: "apps_v1", newObj: func() client.Object { return &appsv1.DaemonSet{} },
			template: templateOf(func(o *appsv1.DaemonSet) *corev1.PodTemplateSpec { return &o.Spec.Template })},
		{name: "Job", gv: "batch_v1", newObj: func() client.Object { return &batchv1.Job{} }, ownedBy: "CronJob",
			template: templateOf(func(o *batchv1.Job) *corev1.PodTemplateSpec { return &o.Spec.Template })},
		{name: "CronJob", gv: "batch_v1", newObj: func() client.Object { return &batchv1.CronJob{} },
			template: templateOf(func(o *batchv1.CronJob) *corev1.PodTemplateSpec { return &o.Spec.JobTemplate.Spec.Template })},
	}
}

// leftToOwner reports whether obj is managed through its owner (a
// Deployment's ReplicaSet, a CronJob's Job): its owner's pool serves it.
func (k appKind) leftToOwner(obj client.Object) bool {
	if k.ownedBy == "" {
		return false
	}
	ref := metav1.GetControllerOf(obj)
	return ref != nil && ref.Kind == k.ownedBy
}

// lowerName is the kind in lower case, for controller names.
func (k appKind) lowerName() string {
	return strings.ToLower(k.name)
}

// templateOf adapts a typed pod template getter to client.Object; another
// type has an empty template.
func templateOf[T client.Object](get func(T) *corev1.PodTemplateSpec) func(client.Object) *corev1.PodTemplateSpec {
	return func(o client.Object) *corev1.PodTemplateSpec {
		t, ok := o.(T)
		if !ok {
			return &corev1.PodTemplateSpec{}
		}
		return get(t)
	}
}
