// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package bench

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"

	"github.com/spiderpool-go/spiderpool/internal/cni/ipamplugin"
)

func pod(uid, name string, running, terminating bool, ips ...string) *corev1.Pod {
	p := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{UID: types.UID(uid), Name: name}}
	if running {
		p.Status.Phase = corev1.PodRunning
	}
	if terminating {
		p.DeletionTimestamp = &metav1.Time{}
	}
	for _, ip := range ips {
		p.Status.PodIPs = append(p.Status.PodIPs, corev1.PodIP{IP: ip})
	}
	return p
}

// TestTracker: an address on two live pods is a duplicate; a terminating
// pod's address may be taken over; counts exclude the old generation.
func TestTracker(t *testing.T) {
	tr := newTracker()
	h := tr.handler()
	h.OnAdd(pod("a", "a", true, false, "10.0.0.1", "fd00::1"), false)
	h.OnAdd(pod("b", "b", true, false, "10.0.0.2", "fd00::2"), false)
	old := tr.uids()
	h.OnUpdate(nil, pod("a", "a", true, true, "10.0.0.1", "fd00::1"))
	h.OnAdd(pod("c", "c", true, false, "10.0.0.1", "fd00::1"), false) // takes over a's addresses
	h.OnAdd(pod("d", "d", false, false, "10.0.0.2"), false)           // b still holds it
	h.OnDelete(pod("a", "a", true, true, "10.0.0.1", "fd00::1"))

	got := tr.counts(old)
	if diff := cmp.Diff(counts{Pods: 3, Ready: 1, Duplicates: 1}, got); diff != "" {
		t.Errorf("counts (-want +got):\n%s", diff)
	}
	if d := tr.firstDuplicates(5); len(d) != 1 || !strings.Contains(d[0], "10.0.0.2") {
		t.Errorf("duplicates %q; want one on 10.0.0.2", d)
	}
}

func TestSummarise(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	var lines []ipamplugin.TimingLine
	for i := 1; i <= 100; i++ {
		lines = append(lines, ipamplugin.TimingLine{Time: t0.Add(time.Duration(i) * time.Millisecond), Command: "ADD", DurationMs: float64(i)})
	}
	lines = append(lines,
		ipamplugin.TimingLine{Time: t0, Command: "ADD", DurationMs: 1, Error: "pool full"},
		ipamplugin.TimingLine{Time: t0.Add(time.Hour), Command: "ADD", DurationMs: 1e6},
		ipamplugin.TimingLine{Time: t0, Command: "DEL", DurationMs: 1e6})
	got := summarise(lines, "ADD", t0, t0.Add(time.Second))
	want := Latency{Count: 100, Failures: 1, P50: 50, P95: 95, P99: 99, Max: 100}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("latency (-want +got):\n%s", diff)
	}
}

func TestMarkdownHasEveryPhase(t *testing.T) {
	res := &Results{Scenarios: []ScenarioResult{{Scenario: Scenario{Name: "exact", Deployments: 2, Replicas: 5, Pools: PoolsExact},
		Phases: []PhaseResult{{Name: "create", WallSeconds: 3, SandboxFailures: map[string]int{"FailedCreatePodSandBox: x": 2, "FailedKillPod: y": 1}},
			{Name: "delete", Error: "phase timed out"}}}},
		Micro: []MicroResult{{Name: "BenchmarkX", Metrics: map[string]float64{"ns/op": 5, "allocs/s": 2}}}}
	md := Markdown(res)
	for _, want := range []string{"| create | 3.0 |", "| delete | 0.0 (failed) |", "phase timed out", "| BenchmarkX | 5 |", "2 allocs/s",
		"| 0 | 0 | 0 | 3 | 0.0-0.0 |", "- create: sandbox failures: 2 x FailedCreatePodSandBox: x\n- create: sandbox failures: 1 x FailedKillPod: y"} {
		if !strings.Contains(md, want) {
			t.Errorf("markdown lacks %q:\n%s", want, md)
		}
	}
}

func TestMarkdownComparesAutoPools(t *testing.T) {
	phase := func(name string, wall, p99 float64) PhaseResult {
		return PhaseResult{Name: name, WallSeconds: wall, CNIAdd: Latency{P99: p99}}
	}
	res := &Results{Scenarios: []ScenarioResult{
		{Scenario: Scenario{Name: "plenty"}, Phases: []PhaseResult{phase("create", 100, 200), phase("delete", 10, 0)}},
		{Scenario: Scenario{Name: "autopool"}, Phases: []PhaseResult{phase("create", 120, 300), phase("delete", 12, 0)}},
	}}
	md := Markdown(res)
	for _, want := range []string{"## Auto pools against named pools", "| create | 120.0 | 100.0 | 1.20 | 1.50 |", "| delete | 12.0 | 10.0 | 1.20 | - |"} {
		if !strings.Contains(md, want) {
			t.Errorf("markdown lacks %q:\n%s", want, md)
		}
	}
	if strings.Contains(Markdown(&Results{Scenarios: res.Scenarios[:1]}), "Auto pools against") {
		t.Error("the comparison is written without an autopool scenario")
	}
}

// dadMessage is a node simulator's event text from a lab run.
const dadMessage = `Failed to create pod sandbox: add network "macvlan-eth0" (eth0): plugin type="macvlan" failed (add): ` +
	`failed to settle addresses for "eth0": link eth0 has address fd00:b::c1 in DADFAILED state`

func TestFailureCause(t *testing.T) {
	for _, tc := range []struct{ msg, want string }{
		{dadMessage, `failed to settle addresses for "eth0": link eth0 has address <ip> in DADFAILED state`},
		{"(combined from similar events): " + dadMessage, `failed to settle addresses for "eth0": link eth0 has address <ip> in DADFAILED state`},
		{"error killing pod: tear down sandbox " + strings.Repeat("ab", 32) + " of pod ns/p: agent 10.0.0.1:80 (10.0.0.0/8)",
			"tear down sandbox <id> of pod ns/p: agent 10.0.0.1:80 (<ip>)"},
		{"plain", "plain"},
		{"", ""},
		{strings.Repeat("x ", 200), strings.Repeat("x ", 80) + "..."},
	} {
		if got := failureCause(tc.msg); got != tc.want {
			t.Errorf("failureCause(%q) = %q; want %q", tc.msg, got, tc.want)
		}
	}
}

// TestEventTally: a phase counts only the growth of each event's count,
// Warning sandbox events only, grouped by reason and cause.
func TestEventTally(t *testing.T) {
	ev := func(uid, typ, reason, msg string, count int32) corev1.Event {
		return corev1.Event{ObjectMeta: metav1.ObjectMeta{UID: types.UID(uid)}, Type: typ, Reason: reason, Message: msg, Count: count}
	}
	before := tallyEvents([]corev1.Event{
		ev("a", corev1.EventTypeWarning, "FailedCreatePodSandBox", dadMessage, 2),
		ev("b", corev1.EventTypeWarning, "FailedKillPod", "error killing pod: boom", 1),
	})
	after := tallyEvents([]corev1.Event{
		ev("a", corev1.EventTypeWarning, "FailedCreatePodSandBox", dadMessage, 3),
		ev("b", corev1.EventTypeWarning, "FailedKillPod", "error killing pod: boom", 1),
		ev("c", corev1.EventTypeWarning, "FailedCreatePodSandBox", strings.Replace(dadMessage, "::c1", "::7", 1), 0),
		ev("d", corev1.EventTypeWarning, "FailedScheduling", "no nodes", 5),
		ev("e", corev1.EventTypeNormal, "FailedCreatePodSandBox", "odd", 5),
	})
	want := map[string]int{`FailedCreatePodSandBox: failed to settle addresses for "eth0": link eth0 has address <ip> in DADFAILED state`: 2}
	if diff := cmp.Diff(want, after.since(before)); diff != "" {
		t.Errorf("failures (-want +got):\n%s", diff)
	}
	if got := after.since(after); got != nil {
		t.Errorf("no growth gave %v; want nil", got)
	}
}

func FuzzFailureCause(f *testing.F) {
	f.Add(dadMessage)
	f.Add(`"" : : "::1"`)
	f.Fuzz(func(t *testing.T, msg string) {
		// Any message: no panic, bounded, and stable.
		got := failureCause(msg)
		if len(got) > maxCause+3 || got != failureCause(msg) {
			t.Errorf("failureCause(%q) = %q", msg, got)
		}
	})
}
