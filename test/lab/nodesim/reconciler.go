// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package nodesim

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/tools/record"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	logf "sigs.k8s.io/controller-runtime/pkg/log"
)

// Event reasons, as kubelet records them.
const (
	ReasonFailedCreatePodSandBox = "FailedCreatePodSandBox"
	ReasonFailedKillPod          = "FailedKillPod"
)

// podReconciler plays kubelet for the pods bound to one node. It is keyed by
// pod name and level-based: it compares the pod with the sandbox records and
// does what is missing. A returned error requeues the pod with backoff.
type podReconciler struct {
	client   client.Client
	resolver networkResolver
	runtime  *sandboxRuntime
	runner   *podRunner
	recorder record.EventRecorder
	nodeName string
	nodeIP   string
}

// Reconcile brings one pod's sandbox and status in line with the pod.
func (r *podReconciler) Reconcile(ctx context.Context, req ctrl.Request) (ctrl.Result, error) {
	pod, err := r.tearDownStale(ctx, req.NamespacedName)
	if err != nil || pod == nil {
		return ctrl.Result{}, err
	}
	switch {
	case pod.Status.Phase == corev1.PodSucceeded || pod.Status.Phase == corev1.PodFailed:
		return ctrl.Result{}, r.stopFinished(ctx, pod)
	case r.runner.handles(pod):
		return ctrl.Result{}, r.runProcesses(ctx, pod)
	case pod.Spec.HostNetwork:
		return ctrl.Result{}, r.patchStatus(ctx, pod, []string{r.nodeIP}, string(pod.UID), pod.CreationTimestamp.Time)
	}
	sb, err := r.ensureSandbox(ctx, pod)
	if err != nil {
		return ctrl.Result{}, err
	}
	if err := r.annotate(ctx, pod, sb); err != nil {
		return ctrl.Result{}, err
	}
	return ctrl.Result{}, r.patchStatus(ctx, pod, podIPs(sb), sb.ID, sb.Created)
}

// destroyStale tears down the sandboxes of pods named key whose UID is not
// keep: a force-deleted pod, or an older pod of the same name (StatefulSet).
func (r *podReconciler) destroyStale(ctx context.Context, key types.NamespacedName, keep types.UID) error {
	if err := r.runner.stop(ctx, key, keep, 10*time.Second); err != nil {
		return err
	}
	recs, err := r.runtime.store.forPod(key.Namespace, key.Name)
	if err != nil {
		return err
	}
	for _, sb := range recs {
		if sb.Pod.UID != string(keep) {
			if err := r.destroy(ctx, sb); err != nil {
				return err
			}
		}
	}
	return nil
}

func (r *podReconciler) destroy(ctx context.Context, sb *sandbox) error {
	if err := r.runtime.destroy(ctx, sb); err != nil {
		return fmt.Errorf("tear down sandbox %s of pod %s: %w", sb.ID, sb.Pod, err)
	}
	logf.FromContext(ctx).Info("Sandbox removed", "pod", sb.Pod.String(), "podUID", sb.Pod.UID, "sandbox", sb.ID)
	return nil
}

// sandboxOf returns the record of this very pod, or nil.
func (r *podReconciler) sandboxOf(pod *corev1.Pod) (*sandbox, error) {
	recs, err := r.runtime.store.forPod(pod.Namespace, pod.Name)
	if err != nil {
		return nil, err
	}
	for _, sb := range recs {
		if sb.Pod.UID == string(pod.UID) {
			return sb, nil
		}
	}
	return nil, nil
}

// stopFinished tears down the sandbox of a pod that has finished, as
// kubelet stops a finished pod's sandbox (CNI DEL) while the pod object
// stays.
func (r *podReconciler) stopFinished(ctx context.Context, pod *corev1.Pod) error {
	sb, err := r.sandboxOf(pod)
	if err != nil || sb == nil {
		return err
	}
	return r.destroy(ctx, sb)
}

// terminate runs DEL for the pod's sandbox and then deletes the pod object
// with grace period 0, as kubelet does once the containers are gone. While DEL
// fails the pod stays (Terminating) and is retried.
func (r *podReconciler) terminate(ctx context.Context, pod *corev1.Pod) error {
	key := types.NamespacedName{Namespace: pod.Namespace, Name: pod.Name}
	if err := r.runner.stop(ctx, key, "", graceOf(pod)); err != nil {
		return err
	}
	sb, err := r.sandboxOf(pod)
	if err != nil {
		return err
	}
	if sb != nil {
		if err := r.destroy(ctx, sb); err != nil {
			r.recorder.Eventf(pod, corev1.EventTypeWarning, ReasonFailedKillPod, "error killing pod: %v", err)
			return err
		}
	}
	err = r.client.Delete(ctx, pod, client.GracePeriodSeconds(0), client.Preconditions{UID: &pod.UID})
	if err != nil && !apierrors.IsNotFound(err) && !apierrors.IsConflict(err) {
		return fmt.Errorf("delete pod: %w", err)
	}
	return nil
}

// ensureSandbox returns the pod's ready sandbox, creating it if needed. A
// record left half-made by a crash is torn down first.
func (r *podReconciler) ensureSandbox(ctx context.Context, pod *corev1.Pod) (*sandbox, error) {
	sb, err := r.sandboxOf(pod)
	if err != nil {
		return nil, err
	}
	if sb != nil && sb.Phase == phaseReady {
		return sb, nil
	}
	if sb != nil {
		if err := r.destroy(ctx, sb); err != nil {
			return nil, err
		}
	}
	sb, err = r.createSandbox(ctx, pod)
	if err != nil {
		r.recorder.Eventf(pod, corev1.EventTypeWarning, ReasonFailedCreatePodSandBox, "Failed to create pod sandbox: %v", err)
		return nil, err
	}
	logf.FromContext(ctx).Info("Sandbox created", "podUID", pod.UID, "sandbox", sb.ID, "ips", podIPs(sb))
	return sb, nil
}

func (r *podReconciler) createSandbox(ctx context.Context, pod *corev1.Pod) (*sandbox, error) {
	nets, err := r.resolver.podNetworks(ctx, pod)
	if err != nil {
		return nil, err
	}
	ref := podRef{Namespace: pod.Namespace, Name: pod.Name, UID: string(pod.UID)}
	return r.runtime.create(ctx, ref, nets)
}

// annotate writes the Multus network-status annotation.
func (r *podReconciler) annotate(ctx context.Context, pod *corev1.Pod, sb *sandbox) error {
	data, err := json.Marshal(networkStatuses(sb))
	if err != nil {
		return fmt.Errorf("encode network status: %w", err)
	}
	if pod.Annotations[AnnotationNetworkStatus] == string(data) {
		return nil
	}
	orig := pod.DeepCopy()
	if pod.Annotations == nil {
		pod.Annotations = map[string]string{}
	}
	pod.Annotations[AnnotationNetworkStatus] = string(data)
	if err := r.client.Patch(ctx, pod, client.MergeFrom(orig)); err != nil {
		return fmt.Errorf("annotate pod: %w", err)
	}
	return nil
}

// runProcesses starts the processes of a pod the runner runs and reports
// their state.
func (r *podReconciler) runProcesses(ctx context.Context, pod *corev1.Pod) error {
	states, start, err := r.runner.ensure(ctx, pod)
	if err != nil {
		r.recorder.Eventf(pod, corev1.EventTypeWarning, ReasonFailedCreatePodSandBox, "Failed to start the pod's processes: %v", err)
		return err
	}
	return r.writeStatus(ctx, pod, processStatus(pod, r.nodeIP, states, start))
}

// patchStatus reports the pod Running and Ready with ips, unless it already is.
func (r *podReconciler) patchStatus(ctx context.Context, pod *corev1.Pod, ips []string, seed string, start time.Time) error {
	return r.writeStatus(ctx, pod, runningStatus(pod, r.nodeIP, ips, seed, start))
}

// writeStatus patches the pod's status to st, unless it already is st.
func (r *podReconciler) writeStatus(ctx context.Context, pod *corev1.Pod, st corev1.PodStatus) error {
	if equality.Semantic.DeepEqual(st, pod.Status) {
		return nil
	}
	orig := pod.DeepCopy()
	pod.Status = st
	if err := r.client.Status().Patch(ctx, pod, client.MergeFrom(orig)); err != nil {
		return fmt.Errorf("patch pod status: %w", err)
	}
	return nil
}
