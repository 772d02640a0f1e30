// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package gc

import (
	"time"

	corev1 "k8s.io/api/core/v1"
)

// defaultTerminationGrace is the API default of
// spec.terminationGracePeriodSeconds.
const defaultTerminationGrace = 30 * time.Second

// podAlive is Spiderpool's IsPodAlive, as the agent applies it at release
// (docs/reference/behaviour.md §1.3, §3.4): a pod is dead when it is
// terminating, or has finished for good (Succeeded and not restarted; Failed
// and either never restarted or evicted).
func podAlive(pod *corev1.Pod) bool {
	if pod.DeletionTimestamp != nil {
		return false
	}
	switch pod.Status.Phase {
	case corev1.PodSucceeded:
		return pod.Spec.RestartPolicy == corev1.RestartPolicyAlways
	case corev1.PodFailed:
		return pod.Spec.RestartPolicy != corev1.RestartPolicyNever && pod.Status.Reason != "Evicted"
	}
	return true
}

// terminatingDue is when a terminating pod's addresses may be collected:
// deletionTimestamp + deletionGracePeriodSeconds + delay, Spiderpool's rule
// (docs/reference/behaviour.md §4.2). deletionTimestamp already lies one
// grace period after the delete call, so this waits twice the grace period:
// on the safe side.
func terminatingDue(pod *corev1.Pod, delay time.Duration) time.Time {
	due := pod.DeletionTimestamp.Time
	if g := pod.DeletionGracePeriodSeconds; g != nil {
		due = due.Add(time.Duration(*g) * time.Second)
	}
	return due.Add(delay)
}

// finishedDue is when a finished pod's addresses may be collected: the
// latest container finishedAt + terminationGracePeriodSeconds + delay
// (docs/reference/behaviour.md §4.2). A pod that reports no finished
// container counts from its creation.
func finishedDue(pod *corev1.Pod, delay time.Duration) time.Time {
	grace := defaultTerminationGrace
	if g := pod.Spec.TerminationGracePeriodSeconds; g != nil {
		grace = time.Duration(*g) * time.Second
	}
	return finishedAt(pod).Add(grace + delay)
}

// finishedAt is the latest terminated.finishedAt of the pod's containers
// and init containers, or its creation time when none has one.
func finishedAt(pod *corev1.Pod) time.Time {
	latest := pod.CreationTimestamp.Time
	for _, list := range [][]corev1.ContainerStatus{pod.Status.InitContainerStatuses, pod.Status.ContainerStatuses} {
		for i := range list {
			if t := list[i].State.Terminated; t != nil && t.FinishedAt.After(latest) {
				latest = t.FinishedAt.Time
			}
		}
	}
	return latest
}

// nodeReady reports whether node's Ready condition is True. A node that is
// gone, or reports no Ready condition, is not ready.
func nodeReady(node *corev1.Node) bool {
	if node == nil {
		return false
	}
	for _, c := range node.Status.Conditions {
		if c.Type == corev1.NodeReady {
			return c.Status == corev1.ConditionTrue
		}
	}
	return false
}
