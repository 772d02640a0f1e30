// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package chaos

import (
	"context"
	"fmt"
	"sort"
	"strings"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// maxDiagnosed bounds how many pods of one workload a settle problem
// describes.
const maxDiagnosed = 5

// unreadyPods describes up to maxDiagnosed pods of selector that are not
// ready: node, phase, why (the Ready condition, a waiting container) and
// the pod's newest event, so that a settle problem says where to look.
func (w *Watcher) unreadyPods(ctx context.Context, selector *metav1.LabelSelector) []string {
	sel, err := metav1.LabelSelectorAsSelector(selector)
	if err != nil {
		return []string{err.Error()}
	}
	var list corev1.PodList
	if err := w.direct.List(ctx, &list, client.InNamespace(w.ns), client.MatchingLabelsSelector{Selector: sel}); err != nil {
		return []string{err.Error()}
	}
	var out []string
	for i := range list.Items {
		p := &list.Items[i]
		if podReady(p) {
			continue
		}
		if len(out) == maxDiagnosed {
			out = append(out, "  ...")
			break
		}
		out = append(out, fmt.Sprintf("  pod %s on %q: phase %s, %s; last event: %s",
			p.Name, p.Spec.NodeName, p.Status.Phase, notReadyReason(p), w.lastEvent(ctx, p)))
	}
	return out
}

func podReady(p *corev1.Pod) bool {
	for _, c := range p.Status.Conditions {
		if c.Type == corev1.PodReady {
			return c.Status == corev1.ConditionTrue
		}
	}
	return false
}

// notReadyReason is the Ready condition's reason and message, or a
// waiting container's reason, or what the pod's state is.
func notReadyReason(p *corev1.Pod) string {
	if p.DeletionTimestamp != nil {
		return "terminating since " + p.DeletionTimestamp.UTC().Format("15:04:05")
	}
	for _, c := range p.Status.ContainerStatuses {
		if c.State.Waiting != nil {
			return "container waiting: " + c.State.Waiting.Reason + " " + c.State.Waiting.Message
		}
	}
	for _, c := range p.Status.Conditions {
		if c.Type == corev1.PodReady {
			return strings.TrimSpace("not ready: " + c.Reason + " " + c.Message)
		}
	}
	return "no Ready condition"
}

// lastEvent returns the newest event about p, or why there is none.
func (w *Watcher) lastEvent(ctx context.Context, p *corev1.Pod) string {
	var list corev1.EventList
	err := w.direct.List(ctx, &list, client.InNamespace(p.Namespace),
		client.MatchingFields{"involvedObject.name": p.Name, "involvedObject.uid": string(p.UID)})
	switch {
	case err != nil:
		return err.Error()
	case len(list.Items) == 0:
		return "none"
	}
	sort.Slice(list.Items, func(i, j int) bool { return eventTime(&list.Items[i]).Time.Before(eventTime(&list.Items[j]).Time) })
	e := &list.Items[len(list.Items)-1]
	return fmt.Sprintf("%s %s %s (x%d)", eventTime(e).UTC().Format("15:04:05"), e.Reason, e.Message, max(e.Count, 1))
}

func eventTime(e *corev1.Event) metav1.Time {
	switch {
	case !e.LastTimestamp.IsZero():
		return e.LastTimestamp
	case !e.EventTime.IsZero():
		return metav1.Time{Time: e.EventTime.Time}
	}
	return e.FirstTimestamp
}
