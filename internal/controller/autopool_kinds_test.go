// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package controller_test

import (
	"fmt"
	"slices"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/util/retry"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
	"github.com/spiderpool-go/spiderpool/test/utils"
)

// TestAutoPoolKinds: a DaemonSet's pool follows desiredNumberScheduled; a
// ReplicaSet of a Deployment, a Job of a CronJob and a hostNetwork
// Deployment get none (each checked once a sentinel of the same kind,
// created after it, has its pool); a change of ippool-ip-number resizes.
func TestAutoPoolKinds(t *testing.T) {
	ns := startAutoPoolController(t, 1)
	subnet := createSubnet(t, "10.39.0.0/24", "", "10.39.0.1-10.39.0.100")
	annos := subnetAnno(subnet.Name)
	labels := map[string]string{"app": "ds"}

	ds := &appsv1.DaemonSet{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "ds"}, Spec: appsv1.DaemonSetSpec{
		Selector: &metav1.LabelSelector{MatchLabels: labels}, Template: podTemplate(labels, annos)}}
	create(t, ds)
	utils.Eventually(t, time.Minute, func() error { return poolSized(t, ns, "ds", subnet.Name, 1) })
	ds.Status.DesiredNumberScheduled = 4
	if err := apiServer.client.Status().Update(t.Context(), ds); err != nil {
		t.Fatal(err)
	}
	utils.Eventually(t, time.Minute, func() error { return poolSized(t, ns, "ds", subnet.Name, 5) })

	owner := deployment(ns, "owner", 1, nil)
	create(t, owner)
	rs := &appsv1.ReplicaSet{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "owned-rs",
		OwnerReferences: []metav1.OwnerReference{{APIVersion: "apps/v1", Kind: "Deployment", Name: "owner", UID: owner.UID, Controller: ptr.To(true)}}},
		Spec: appsv1.ReplicaSetSpec{Replicas: ptr.To[int32](1), Selector: owner.Spec.Selector, Template: podTemplate(owner.Spec.Template.Labels, annos)}}
	create(t, rs)
	hostNet := deployment(ns, "hostnet", 1, annos)
	hostNet.Spec.Template.Spec.HostNetwork = true
	create(t, hostNet)
	cj := &batchv1.CronJob{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "cron"}, Spec: batchv1.CronJobSpec{Schedule: "* * * * *",
		JobTemplate: batchv1.JobTemplateSpec{Spec: batchv1.JobSpec{Template: podTemplate(nil, nil)}}}}
	cj.Spec.JobTemplate.Spec.Template.Spec.RestartPolicy = corev1.RestartPolicyNever
	create(t, cj)
	create(t, job(ns, "owned-job", annos, []metav1.OwnerReference{{APIVersion: "batch/v1", Kind: "CronJob", Name: "cron", UID: cj.UID, Controller: ptr.To(true)}}))

	sentinelRS := rs.DeepCopy()
	sentinelRS.ObjectMeta = metav1.ObjectMeta{Namespace: ns, Name: "free-rs"}
	create(t, sentinelRS)
	create(t, deployment(ns, "sentinel", 1, annos))
	create(t, job(ns, "free-job", annos, nil))
	for _, name := range []string{"free-rs", "sentinel", "free-job"} {
		utils.Eventually(t, time.Minute, func() error { return poolSized(t, ns, name, subnet.Name, 2) })
	}
	for _, name := range []string{"owned-rs", "hostnet", "owned-job", "owner", "cron"} {
		if n := len(appPools(t, ns, name)); n != 0 {
			t.Errorf("%s got %d pools", name, n)
		}
	}

	err := retry.RetryOnConflict(retry.DefaultRetry, func() error {
		d := deployment(ns, "sentinel", 0, nil)
		if err := apiServer.client.Get(t.Context(), client.ObjectKeyFromObject(d), d); err != nil {
			return err
		}
		d.Spec.Template.Annotations[spiderpoolv2beta1.AnnoPoolIPNumber] = "7"
		return apiServer.client.Update(t.Context(), d)
	})
	if err != nil {
		t.Fatal(err)
	}
	utils.Eventually(t, time.Minute, func() error {
		if err := poolSized(t, ns, "sentinel", subnet.Name, 7); err != nil {
			return err
		}
		if got := appPools(t, ns, "sentinel")[0].Annotations[spiderpoolv2beta1.AnnoPoolIPNumber]; got != "7" {
			return fmt.Errorf("%w: pool annotation %q", errWaiting, got)
		}
		return nil
	})

	// A deleted pool of a live application is made again, same name and IPs.
	old := appPools(t, ns, "sentinel")[0]
	if err := apiServer.client.Delete(t.Context(), &old); err != nil {
		t.Fatal(err)
	}
	utils.Eventually(t, time.Minute, func() error {
		if err := poolSized(t, ns, "sentinel", subnet.Name, 7); err != nil {
			return err
		}
		if p := appPools(t, ns, "sentinel")[0]; p.UID == old.UID || p.Name != old.Name || !slices.Equal(p.Spec.IPs, old.Spec.IPs) {
			return fmt.Errorf("%w: pool %s %s %v after deleting %s %s %v", errWaiting, p.Name, p.UID, p.Spec.IPs, old.Name, old.UID, old.Spec.IPs)
		}
		return nil
	})
}

func job(ns, name string, annos map[string]string, owners []metav1.OwnerReference) *batchv1.Job {
	j := &batchv1.Job{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name, OwnerReferences: owners},
		Spec: batchv1.JobSpec{Template: podTemplate(map[string]string{"job": name}, annos)}}
	j.Spec.Template.Spec.RestartPolicy = corev1.RestartPolicyNever
	return j
}
