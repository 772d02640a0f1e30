// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package chaos

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// Settle waits, up to bound, until the workloads run at their base size
// and the final invariants hold on fresh reads; it returns the problems
// left at the bound (none on success).
//
// While the workloads are short of pods it nudges their controllers once a
// minute (nudge): kube-controller-manager retries a workload whose syncs
// failed while the API server was down with a per-object backoff that
// doubles up to about 16 minutes, and a change to the object requeues it
// at once.
func (w *Watcher) Settle(ctx context.Context, base Shape, bound time.Duration) []string {
	deadline := time.Now().Add(bound)
	var problems []string
	var nudged time.Time
	for {
		problems = w.finalProblems(ctx, base, false)
		if len(problems) == 0 || ctx.Err() != nil {
			return problems
		}
		if time.Now().After(deadline) {
			return w.finalProblems(ctx, base, true) // now with the unready pods described
		}
		if time.Since(nudged) > time.Minute {
			w.nudge(ctx)
			nudged = time.Now()
		}
		sleep(ctx, 2*time.Second)
	}
}

// nudgeAnnotation is the annotation nudge sets on the workload objects.
const nudgeAnnotation = "chaos.spiderpool-go.io/settle-nudge"

// nudge annotates the Deployments, their ReplicaSets and the StatefulSet
// (metadata only: their pod templates, hence their pods, stay as they are),
// so that their controllers sync them now rather than after a backoff.
func (w *Watcher) nudge(ctx context.Context) {
	patch := client.RawPatch(types.MergePatchType,
		[]byte(fmt.Sprintf(`{"metadata":{"annotations":{%q:%q}}}`, nudgeAnnotation, time.Now().UTC().Format(time.RFC3339Nano))))
	var objs []client.Object
	var rss appsv1.ReplicaSetList
	if err := w.direct.List(ctx, &rss, client.InNamespace(w.ns)); err == nil {
		for i := range rss.Items {
			objs = append(objs, &rss.Items[i])
		}
	}
	for i := range Deployments {
		objs = append(objs, &appsv1.Deployment{ObjectMeta: metav1.ObjectMeta{Namespace: w.ns, Name: DeploymentName(i)}})
	}
	objs = append(objs, &appsv1.StatefulSet{ObjectMeta: metav1.ObjectMeta{Namespace: w.ns, Name: StatefulSetName}})
	for _, o := range objs {
		_ = w.direct.Patch(ctx, o, patch) // a nudge that fails is tried again a minute later
	}
}

// finalProblems checks, on fresh reads: workloads at base size and ready,
// every running pod's addresses recorded for its UID, no record without a
// live holder, no SpiderEndpoint without its pod. With describe, a
// workload not ready is followed by its unready pods.
func (w *Watcher) finalProblems(ctx context.Context, base Shape, describe bool) []string {
	var out []string
	out = append(out, w.workloadProblems(ctx, base, describe)...)
	s, err := w.read(ctx, w.direct)
	if err != nil {
		return append(out, err.Error())
	}
	pods := map[string]*corev1.Pod{}
	holders := map[string]bool{}
	for i := range s.pods {
		p := &s.pods[i]
		pods[p.Namespace+"/"+p.Name] = p
		if alive(p) {
			holders[p.Namespace+"/"+p.Name+"/"+string(p.UID)] = true
		}
		for _, ip := range podIPs(p) {
			if r, ok := s.records[ip]; alive(p) && (!ok || r.PodUID != string(p.UID)) {
				out = append(out, fmt.Sprintf("pod %s/%s (uid %s) shows %s, recorded for %+v", p.Namespace, p.Name, p.UID, ip, r))
			}
		}
	}
	for ip, r := range s.records {
		if strings.HasPrefix(r.NamespacedName, w.ns+"/") && !holders[r.NamespacedName+"/"+r.PodUID] {
			out = append(out, fmt.Sprintf("leaked record %s -> %s (uid %s)", ip, r.NamespacedName, r.PodUID))
		}
	}
	for i := range s.eps {
		e := &s.eps[i]
		p := pods[e.Namespace+"/"+e.Name]
		if p == nil || p.UID != types.UID(e.Status.Current.UID) {
			out = append(out, fmt.Sprintf("SpiderEndpoint %s/%s (uid %s) without its pod", e.Namespace, e.Name, e.Status.Current.UID))
		}
	}
	return out
}

func (w *Watcher) workloadProblems(ctx context.Context, base Shape, describe bool) []string {
	var out []string
	for i := range Deployments {
		d := &appsv1.Deployment{}
		if err := w.direct.Get(ctx, client.ObjectKey{Namespace: w.ns, Name: DeploymentName(i)}, d); err != nil {
			out = append(out, err.Error())
		} else if d.Status.ReadyReplicas != base.Deployment || d.Status.Replicas != base.Deployment {
			out = append(out, fmt.Sprintf("deployment %s: %d/%d ready, %d pods", d.Name, d.Status.ReadyReplicas, base.Deployment, d.Status.Replicas))
			if describe {
				out = append(out, w.unreadyPods(ctx, d.Spec.Selector)...)
			}
		}
	}
	s := &appsv1.StatefulSet{}
	if err := w.direct.Get(ctx, client.ObjectKey{Namespace: w.ns, Name: StatefulSetName}, s); err != nil {
		out = append(out, err.Error())
	} else if s.Status.ReadyReplicas != base.StatefulSet || s.Status.Replicas != base.StatefulSet {
		out = append(out, fmt.Sprintf("statefulset: %d/%d ready, %d pods", s.Status.ReadyReplicas, base.StatefulSet, s.Status.Replicas))
		if describe {
			out = append(out, w.unreadyPods(ctx, s.Spec.Selector)...)
		}
	}
	return out
}

// Check runs spiderpoolctl check against the cluster of kubeconfig and
// returns its exit code and output.
func Check(ctx context.Context, ctl, kubeconfig string) (int, string) {
	cmd := exec.CommandContext(ctx, ctl, "check")
	cmd.Env = append(os.Environ(), "KUBECONFIG="+kubeconfig)
	out, err := cmd.CombinedOutput()
	if err != nil {
		if ee, ok := err.(*exec.ExitError); ok { //nolint:errorlint // the exit code of this command
			return ee.ExitCode(), string(out)
		}
		return -1, err.Error()
	}
	return 0, string(out)
}
