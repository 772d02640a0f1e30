// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package gc

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
	"github.com/spiderpool-go/spiderpool/internal/config"
	"github.com/spiderpool-go/spiderpool/internal/workload"
)

// The decision table, without an API server. now is t0; a deletion at
// t0-d has deletionTimestamp t0-d+30s and grace 30s, so it is due at
// t0-d+60s.
func TestDecide(t *testing.T) {
	t0 := time.Date(2025, 1, 1, 12, 0, 0, 0, time.UTC)
	const uid = "u1"
	pod := func(mods ...func(*corev1.Pod)) *corev1.Pod {
		p := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{UID: uid, CreationTimestamp: metav1.NewTime(t0.Add(-time.Hour))},
			Spec:   corev1.PodSpec{TerminationGracePeriodSeconds: ptr.To[int64](30)},
			Status: corev1.PodStatus{Phase: corev1.PodRunning, PodIPs: []corev1.PodIP{{IP: "10.0.0.1"}}}}
		for _, m := range mods {
			m(p)
		}
		return p
	}
	deletedAgo := func(d time.Duration) func(*corev1.Pod) {
		return func(p *corev1.Pod) {
			p.DeletionTimestamp = ptr.To(metav1.NewTime(t0.Add(-d + 30*time.Second)))
			p.DeletionGracePeriodSeconds = ptr.To[int64](30)
		}
	}
	finished := func(phase corev1.PodPhase, policy corev1.RestartPolicy, ago time.Duration) func(*corev1.Pod) {
		return func(p *corev1.Pod) {
			p.Spec.RestartPolicy, p.Status.Phase = policy, phase
			p.Status.ContainerStatuses = []corev1.ContainerStatus{{State: corev1.ContainerState{
				Terminated: &corev1.ContainerStateTerminated{FinishedAt: metav1.NewTime(t0.Add(-ago))}}}}
		}
	}
	otherUID := func(p *corev1.Pod) { p.UID = "u2" }
	noIPs := func(p *corev1.Pod) { p.Status.PodIPs = nil }
	ep := func(epUID string) *spiderpoolv2beta1.SpiderEndpoint {
		return &spiderpoolv2beta1.SpiderEndpoint{Status: spiderpoolv2beta1.WorkloadEndpointStatus{
			Current: spiderpoolv2beta1.PodIPAllocation{UID: epUID}}}
	}
	on := config.GCEnv{StatelessTerminatingPodOnReadyNode: true, StatelessTerminatingPodOnNotReadyNode: true}
	tests := []struct {
		name string
		gc   config.GCEnv
		f    facts
		want verdict
	}{
		{"alive", on, facts{pod: pod(), ep: ep(uid)}, keep(reasonAlive)},
		{"alive, no endpoint yet", on, facts{pod: pod()}, keep(reasonNoOwnEndpoint)},
		{"alive, endpoint of an older UID", on, facts{pod: pod(), ep: ep("u0")}, keep(reasonNoOwnEndpoint)},
		{"pending", on, facts{pod: pod(func(p *corev1.Pod) { p.Status.Phase = corev1.PodPending }), ep: ep(uid)}, keep(reasonAlive)},
		{"gone", on, facts{ep: ep(uid)}, verdict{release: true, gone: true, reason: reasonPodGone}},
		{"gone, no endpoint", on, facts{}, verdict{release: true, gone: true, reason: reasonPodGone}},
		{"gone, static valid", on, facts{ep: ep(uid), static: workload.StaticStatefulSet, staticValid: true}, keep(reasonStaticKept)},
		{"gone, static invalid", on, facts{ep: ep(uid), static: workload.StaticStatefulSet}, verdict{release: true, gone: true, reason: reasonPodGone}},
		{"replaced", on, facts{pod: pod(otherUID), ep: ep(uid)}, verdict{release: true, gone: true, reason: reasonPodReplaced}},
		{"replaced, static valid", on, facts{pod: pod(otherUID), ep: ep(uid), static: workload.StaticStatefulSet, staticValid: true}, keep(reasonStaticKept)},
		{"terminating in grace", on, facts{pod: pod(deletedAgo(59 * time.Second)), ep: ep(uid), nodeReady: true}, waitFor(time.Second)},
		{"terminating past grace, ready node", on, facts{pod: pod(deletedAgo(61 * time.Second)), ep: ep(uid), nodeReady: true}, release(reasonTerminating)},
		{"terminating past grace, not-ready node", on, facts{pod: pod(deletedAgo(61 * time.Second)), ep: ep(uid)}, release(reasonTerminating)},
		{"ready switch off, ready node", config.GCEnv{StatelessTerminatingPodOnNotReadyNode: true},
			facts{pod: pod(deletedAgo(time.Hour)), ep: ep(uid), nodeReady: true}, keep(reasonReadySwitchOff)},
		{"ready switch off, not-ready node", config.GCEnv{StatelessTerminatingPodOnNotReadyNode: true},
			facts{pod: pod(deletedAgo(time.Hour)), ep: ep(uid)}, release(reasonTerminating)},
		{"not-ready switch off, not-ready node", config.GCEnv{StatelessTerminatingPodOnReadyNode: true},
			facts{pod: pod(deletedAgo(time.Hour)), ep: ep(uid)}, keep(reasonNotReadySwitchOff)},
		{"not-ready switch off, ready node", config.GCEnv{StatelessTerminatingPodOnReadyNode: true},
			facts{pod: pod(deletedAgo(time.Hour)), ep: ep(uid), nodeReady: true}, release(reasonTerminating)},
		{"terminating, grace delay", config.GCEnv{StatelessTerminatingPodOnReadyNode: true, AdditionalGraceDelay: time.Minute},
			facts{pod: pod(deletedAgo(90 * time.Second)), ep: ep(uid), nodeReady: true}, waitFor(30 * time.Second)},
		{"terminating, static valid", on, facts{pod: pod(deletedAgo(time.Hour)), ep: ep(uid), static: workload.StaticStatefulSet, staticValid: true}, keep(reasonStaticKept)},
		{"terminating, no endpoint", on, facts{pod: pod(deletedAgo(time.Hour))}, keep(reasonNoOwnEndpoint)},
		{"succeeded, never restart, in grace", on, facts{pod: pod(finished(corev1.PodSucceeded, corev1.RestartPolicyNever, 10*time.Second)), ep: ep(uid)}, waitFor(20 * time.Second)},
		{"succeeded, never restart", on, facts{pod: pod(finished(corev1.PodSucceeded, corev1.RestartPolicyNever, time.Minute)), ep: ep(uid)}, release(reasonFinished)},
		{"succeeded, switches off", config.GCEnv{}, facts{pod: pod(finished(corev1.PodSucceeded, corev1.RestartPolicyOnFailure, time.Minute)), ep: ep(uid)}, release(reasonFinished)},
		{"succeeded, restart always", on, facts{pod: pod(finished(corev1.PodSucceeded, corev1.RestartPolicyAlways, time.Hour)), ep: ep(uid)}, release(reasonFinished)},
		{"failed, on failure", on, facts{pod: pod(finished(corev1.PodFailed, corev1.RestartPolicyOnFailure, time.Hour)), ep: ep(uid)}, release(reasonFinished)},
		{"failed by a graceful node shutdown, restart always, in grace", on, facts{pod: pod(finished(corev1.PodFailed, corev1.RestartPolicyAlways, 10*time.Second),
			func(p *corev1.Pod) { p.Status.Reason = "Terminated" }), ep: ep(uid)}, waitFor(20 * time.Second)},
		{"failed by a graceful node shutdown, restart always", on, facts{pod: pod(finished(corev1.PodFailed, corev1.RestartPolicyAlways, time.Minute),
			func(p *corev1.Pod) { p.Status.Reason = "Terminated" }), ep: ep(uid)}, release(reasonFinished)},
		{"failed, evicted", on, facts{pod: pod(finished(corev1.PodFailed, corev1.RestartPolicyAlways, time.Hour),
			func(p *corev1.Pod) { p.Status.Reason = "Evicted" }), ep: ep(uid)}, release(reasonFinished)},
		{"running without podIPs, switch off", on, facts{pod: pod(noIPs), ep: ep(uid)}, keep(reasonAlive)},
		{"running without podIPs, switch on", config.GCEnv{StatelessRunningPodOnEmptyPodStatusIPs: true}, facts{pod: pod(noIPs), ep: ep(uid)}, release(reasonRunningNoPodIPs)},
		{"running without podIPs, static", config.GCEnv{StatelessRunningPodOnEmptyPodStatusIPs: true}, facts{pod: pod(noIPs), ep: ep(uid), static: workload.StaticStatefulSet}, keep(reasonAlive)},
		{"running without podIPs, no endpoint", config.GCEnv{StatelessRunningPodOnEmptyPodStatusIPs: true}, facts{pod: pod(noIPs)}, keep(reasonNoOwnEndpoint)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := &Options{GC: tt.gc}
			got := o.decide(&tt.f, uid, t0)
			if diff := cmp.Diff(tt.want, got, cmp.AllowUnexported(verdict{})); diff != "" {
				t.Errorf("decide (-want +got):\n%s", diff)
			}
		})
	}
}

func TestCanonicalIP(t *testing.T) {
	tests := map[string]string{
		"10.0.0.1":          "10.0.0.1",
		"10.0.0.1/16":       "10.0.0.1",
		"fd00:0::0:1/64":    "fd00::1",
		"FD00::A":           "fd00::a",
		"not-an-ip":         "not-an-ip",
		"::ffff:10.0.0.1":   "::ffff:10.0.0.1",
		"10.0.0.1/garbage!": "10.0.0.1",
	}
	for in, want := range tests {
		if got := canonicalIP(in); got != want {
			t.Errorf("canonicalIP(%q) = %q, want %q", in, got, want)
		}
	}
}

func FuzzCanonicalIP(f *testing.F) {
	for _, s := range []string{"10.0.0.1", "fd00::1/64", "", "/", "1.2.3.4/x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		once := canonicalIP(s)
		if twice := canonicalIP(once); twice != once && !containsSlash(once) {
			t.Errorf("canonicalIP not idempotent: %q -> %q -> %q", s, once, twice)
		}
	})
}

func containsSlash(s string) bool {
	for _, r := range s {
		if r == '/' {
			return true
		}
	}
	return false
}

func TestTimeMemo(t *testing.T) {
	var m timeMemo
	t0 := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	if got := m.first("a", t0, time.Minute); !got.Equal(t0) {
		t.Errorf("first sight of a = %v, want %v", got, t0)
	}
	if got := m.first("a", t0.Add(30*time.Second), time.Minute); !got.Equal(t0) {
		t.Errorf("a seen again = %v, want the first sight %v", got, t0)
	}
	later := t0.Add(2 * time.Minute)
	m.first("b", later, time.Minute) // expires a
	if got := m.first("a", later, time.Minute); !got.Equal(later) {
		t.Errorf("a after expiry = %v, want %v", got, later)
	}
	m.forget("a")
	if len(m.m) != 1 {
		t.Errorf("entries after forget: %v", m.m)
	}
}
