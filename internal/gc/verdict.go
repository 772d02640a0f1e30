// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package gc

import (
	"time"

	corev1 "k8s.io/api/core/v1"

	"github.com/spiderpool-go/spiderpool/internal/workload"
)

// verdict is the decision for one incarnation.
type verdict struct {
	// release frees the incarnation's records and endpoint.
	release bool
	// gone marks a release because the pod of the UID no longer exists;
	// SPIDERPOOL_GC_ADDITIONAL_GRACE_DELAY then counts from when the GC
	// first saw it gone.
	gone bool
	// wait, when positive, is how long until the decision may change.
	wait time.Duration
	// reason says why, for logs and tests.
	reason string
}

// Reasons of verdicts.
const (
	reasonPodGone           = "pod is gone"
	reasonPodReplaced       = "pod was re-created with another UID"
	reasonStaticKept        = "kept for the next pod of the same name (StatefulSet ordinal in range, or KubeVirt VM wanted)"
	reasonNoOwnEndpoint     = "pod of this UID exists and its endpoint is not written (yet)"
	reasonAlive             = "pod is alive"
	reasonInGrace           = "pod is within its grace period"
	reasonTerminating       = "pod is terminating past its grace period"
	reasonReadySwitchOff    = "terminating pod on a Ready node, " + "SPIDERPOOL_GC_STATELESS_TERMINATING_POD_ON_READY_NODE_ENABLED is false"
	reasonNotReadySwitchOff = "terminating pod on a NotReady node, " +
		"SPIDERPOOL_GC_STATELESS_TERMINATING_POD_ON_NOT_READY_NODE_ENABLED is false"
	reasonFinished        = "pod has finished (Succeeded/Failed) past its grace period"
	reasonRunningNoPodIPs = "running pod has no status.podIPs"
)

func keep(reason string) verdict { return verdict{reason: reason} }

func release(reason string) verdict { return verdict{release: true, reason: reason} }

func waitFor(d time.Duration) verdict { return verdict{wait: d, reason: reasonInGrace} }

// decide is the GC decision table (docs/gc.md) for the incarnation of uid,
// on facts f, at now. It never releases the incarnation of a pod that
// exists with the same UID unless that pod is dead (terminating past its
// grace period, or finished) and its endpoint records the UID.
func (o *Options) decide(f *facts, uid string, now time.Time) verdict {
	switch {
	case f.pod == nil:
		return o.decideDead(f, reasonPodGone)
	case string(f.pod.UID) != uid:
		return o.decideDead(f, reasonPodReplaced)
	case !f.owned(uid):
		return keep(reasonNoOwnEndpoint)
	case f.pod.DeletionTimestamp != nil:
		return o.decideTerminating(f, now)
	case !workload.PodAlive(f.pod):
		return o.decideFinished(f, now)
	case o.runningWithoutPodIPs(f):
		return release(reasonRunningNoPodIPs)
	}
	return keep(reasonAlive)
}

// decideDead decides for an incarnation whose pod no longer exists.
func (o *Options) decideDead(f *facts, reason string) verdict {
	if f.static != workload.NotStatic && f.staticValid {
		return keep(reasonStaticKept)
	}
	v := release(reason)
	v.gone = true
	return v
}

// decideTerminating applies the grace period, then the node switches. The
// switches gate every terminating pod whose addresses are not kept for a
// successor (the node may still run it), Ready and NotReady nodes each by
// its own switch.
func (o *Options) decideTerminating(f *facts, now time.Time) verdict {
	if f.static != workload.NotStatic && f.staticValid {
		return keep(reasonStaticKept)
	}
	if due := workload.TerminatingDue(f.pod, o.GC.AdditionalGraceDelay); now.Before(due) {
		return waitFor(due.Sub(now))
	}
	switch {
	case f.nodeReady && !o.GC.StatelessTerminatingPodOnReadyNode:
		return keep(reasonReadySwitchOff)
	case !f.nodeReady && !o.GC.StatelessTerminatingPodOnNotReadyNode:
		return keep(reasonNotReadySwitchOff)
	}
	return release(reasonTerminating)
}

// decideFinished applies the grace period to a finished pod.
func (o *Options) decideFinished(f *facts, now time.Time) verdict {
	if f.static != workload.NotStatic && f.staticValid {
		return keep(reasonStaticKept)
	}
	if due := workload.FinishedDue(f.pod, o.GC.AdditionalGraceDelay); now.Before(due) {
		return waitFor(due.Sub(now))
	}
	return release(reasonFinished)
}

// runningWithoutPodIPs is the opt-in
// SPIDERPOOL_GC_ENABLE_STATELESS_RUNNING_POD_ON_EMPTY_POD_STATUS_IPS: a
// stateless pod in phase Running whose status reports no address.
func (o *Options) runningWithoutPodIPs(f *facts) bool {
	return o.GC.StatelessRunningPodOnEmptyPodStatusIPs && f.static == workload.NotStatic && !f.pod.Spec.HostNetwork &&
		f.pod.Status.Phase == corev1.PodRunning && len(f.pod.Status.PodIPs) == 0 && f.pod.Status.PodIP == ""
}
