// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package nodesim

import (
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
)

// processStatus is the status of a pod whose containers run as processes:
// containers not run are reported running and ready; run ones as their
// states say. The pod is Succeeded or Failed once every run container has
// exited for good, else Running; Ready when every container is.
func processStatus(pod *corev1.Pod, nodeIP string, states map[string]containerState, start time.Time) corev1.PodStatus {
	st := runningStatus(pod, nodeIP, []string{nodeIP}, string(pod.UID), start)
	allReady, allExited, failed := true, true, false
	for i := range st.ContainerStatuses {
		cs := &st.ContainerStatuses[i]
		s, ok := states[cs.Name]
		if !ok {
			continue
		}
		*cs = processContainerStatus(*cs, s)
		allReady = allReady && s.ready
		allExited = allExited && s.exited
		failed = failed || (s.exited && s.exitCode != 0)
	}
	switch {
	case allExited && failed:
		st.Phase = corev1.PodFailed
	case allExited:
		st.Phase = corev1.PodSucceeded
	}
	if !allReady {
		for i := range st.Conditions {
			if t := st.Conditions[i].Type; t == corev1.PodReady || t == corev1.ContainersReady {
				setFalse(&st.Conditions[i], "ContainersNotReady", ptr.Deref(st.StartTime, metav1.NewTime(start)))
			}
		}
	}
	return st
}

func setFalse(c *corev1.PodCondition, reason string, at metav1.Time) {
	if c.Status == corev1.ConditionFalse {
		return
	}
	c.Status, c.Reason, c.LastTransitionTime = corev1.ConditionFalse, reason, at
}

// processContainerStatus reports a run container: running (with its
// readiness), waiting in back-off between restarts, or terminated.
func processContainerStatus(cs corev1.ContainerStatus, s containerState) corev1.ContainerStatus {
	cs.RestartCount, cs.Ready, cs.Started = s.restarts, s.ready, ptr.To(s.running)
	switch {
	case s.running:
		cs.State = corev1.ContainerState{Running: &corev1.ContainerStateRunning{StartedAt: metav1.NewTime(s.startedAt.Truncate(time.Second))}}
	case s.exited:
		cs.State = corev1.ContainerState{Terminated: terminated(s, cs.ContainerID)}
	case s.lastExit != nil:
		cs.State = corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: "CrashLoopBackOff"}}
	default:
		cs.State = corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: "ContainerCreating"}}
	}
	if s.lastExit != nil && !s.exited {
		cs.LastTerminationState = corev1.ContainerState{Terminated: terminated(s, cs.ContainerID)}
	}
	return cs
}

func terminated(s containerState, id string) *corev1.ContainerStateTerminated {
	reason := "Completed"
	if s.exitCode != 0 {
		reason = "Error"
	}
	code := s.exitCode
	if s.lastExit != nil {
		code = *s.lastExit
	}
	return &corev1.ContainerStateTerminated{
		ExitCode: int32(code), Reason: reason, ContainerID: id, //nolint:gosec // exit codes fit
		StartedAt: metav1.NewTime(s.startedAt.Truncate(time.Second)), FinishedAt: metav1.NewTime(s.finishedAt.Truncate(time.Second)),
	}
}
