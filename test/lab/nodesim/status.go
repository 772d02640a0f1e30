// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package nodesim

import (
	"crypto/sha256"
	"encoding/hex"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
)

// runningStatus is the status kubelet reports once every container of pod
// runs: phase Running, Ready, the pod IPs and one running status per
// container. Fields the simulator does not own (qosClass, other conditions)
// are kept. Every timestamp is start, so the result is stable across
// reconciles and an unchanged pod needs no patch.
func runningStatus(pod *corev1.Pod, hostIP string, ips []string, seed string, start time.Time) corev1.PodStatus {
	st := *pod.Status.DeepCopy()
	started := metav1.NewTime(start)
	if st.StartTime != nil {
		started = *st.StartTime
	}
	st.Phase = corev1.PodRunning
	st.HostIP, st.HostIPs = hostIP, []corev1.HostIP{{IP: hostIP}}
	st.PodIP, st.PodIPs = "", nil
	for _, ip := range ips {
		st.PodIPs = append(st.PodIPs, corev1.PodIP{IP: ip})
	}
	if len(ips) > 0 {
		st.PodIP = ips[0]
	}
	st.StartTime = &started
	for _, t := range []corev1.PodConditionType{corev1.PodScheduled, corev1.PodReadyToStartContainers,
		corev1.PodInitialized, corev1.ContainersReady, corev1.PodReady} {
		st.Conditions = setCondition(st.Conditions, t, started)
	}
	st.InitContainerStatuses = initContainerStatuses(pod.Spec.InitContainers, seed, started)
	st.ContainerStatuses = nil
	for _, c := range pod.Spec.Containers {
		st.ContainerStatuses = append(st.ContainerStatuses, runningContainer(c, seed, started))
	}
	return st
}

// setCondition sets condition t to True, keeping its transition time if it
// already was True.
func setCondition(conds []corev1.PodCondition, t corev1.PodConditionType, at metav1.Time) []corev1.PodCondition {
	for i := range conds {
		if conds[i].Type != t {
			continue
		}
		if conds[i].Status != corev1.ConditionTrue {
			conds[i] = corev1.PodCondition{Type: t, Status: corev1.ConditionTrue, LastTransitionTime: at}
		}
		return conds
	}
	return append(conds, corev1.PodCondition{Type: t, Status: corev1.ConditionTrue, LastTransitionTime: at})
}

// initContainerStatuses reports init containers as completed, and sidecars
// (restartPolicy Always) as running.
func initContainerStatuses(cs []corev1.Container, seed string, at metav1.Time) []corev1.ContainerStatus {
	var out []corev1.ContainerStatus
	for _, c := range cs {
		if c.RestartPolicy != nil && *c.RestartPolicy == corev1.ContainerRestartPolicyAlways {
			out = append(out, runningContainer(c, seed, at))
			continue
		}
		s := runningContainer(c, seed, at)
		s.Started = ptr.To(false)
		s.State = corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{
			ExitCode: 0, Reason: "Completed", StartedAt: at, FinishedAt: at, ContainerID: s.ContainerID,
		}}
		out = append(out, s)
	}
	return out
}

func runningContainer(c corev1.Container, seed string, at metav1.Time) corev1.ContainerStatus {
	return corev1.ContainerStatus{
		Name:        c.Name,
		Image:       c.Image,
		ImageID:     c.Image + "@sha256:" + digest(c.Image),
		ContainerID: "containerd://" + digest(seed+"/"+c.Name),
		Ready:       true,
		Started:     ptr.To(true),
		State:       corev1.ContainerState{Running: &corev1.ContainerStateRunning{StartedAt: at}},
	}
}

// digest derives stable fake ids, so a status does not change between reconciles.
func digest(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}
