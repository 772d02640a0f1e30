// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package workload

import (
	"time"

	corev1 "k8s.io/api/core/v1"
)

// DefaultTerminationGrace is the API default of
// spec.terminationGracePeriodSeconds.
const DefaultTerminationGrace = 30 * time.Second

// PodAlive reports whether pod still uses its addresses: it is neither
// terminating nor finished. A pod in phase Succeeded or Failed is finished
// whatever its restartPolicy: the kubelet never moves a pod out of those
// phases (a restarted container keeps the pod Running), so such a pod will
// never run again. Spiderpool keeps Failed pods with restartPolicy
// Always/OnFailure alive, which leaks every address of a node after a
// graceful node shutdown until PodGC (docs/compatibility.md #12).
func PodAlive(pod *corev1.Pod) bool {
	if pod.DeletionTimestamp != nil {
		return false
	}
	return !Finished(pod)
}

// Finished reports whether pod has reached a terminal phase.
func Finished(pod *corev1.Pod) bool {
	return pod.Status.Phase == corev1.PodSucceeded || pod.Status.Phase == corev1.PodFailed
}

// TerminatingDue is when a terminating pod's addresses may be collected:
// deletionTimestamp + deletionGracePeriodSeconds + delay, Spiderpool's
// rule. deletionTimestamp already lies one grace period after the delete
// call, so this waits twice the grace period: on the safe side.
func TerminatingDue(pod *corev1.Pod, delay time.Duration) time.Time {
	due := pod.DeletionTimestamp.Time
	if g := pod.DeletionGracePeriodSeconds; g != nil {
		due = due.Add(time.Duration(*g) * time.Second)
	}
	return due.Add(delay)
}

// FinishedDue is when a finished pod's addresses may be collected: the
// latest container finishedAt + terminationGracePeriodSeconds + delay. A
// pod that reports no finished container counts from its creation.
func FinishedDue(pod *corev1.Pod, delay time.Duration) time.Time {
	grace := DefaultTerminationGrace
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

// NodeReady reports whether node's Ready condition is True. A node that is
// gone (nil), or reports no Ready condition, is not ready.
func NodeReady(node *corev1.Node) bool {
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
