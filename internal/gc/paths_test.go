// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package gc

import (
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
)

// Path A: a terminating pod past deletionTimestamp + grace, per node state
// and switch. Each switch gates exactly its own node state (Spiderpool
// #4864).
func TestTerminatingPodSwitches(t *testing.T) {
	tests := []struct {
		name            string
		node            string // ready, notready, missing
		ready, notReady bool
		wantReleased    bool
	}{
		{"ready node, both on", "ready", true, true, true},
		{"ready node, ready switch off", "ready", false, true, false},
		{"ready node, not-ready switch off", "ready", true, false, true},
		{"not-ready node, both on", "notready", true, true, true},
		{"not-ready node, not-ready switch off", "notready", true, false, false},
		{"not-ready node, ready switch off", "notready", false, true, true},
		{"missing node is not ready, not-ready switch off", "missing", true, false, false},
		{"missing node is not ready, ready switch off", "missing", false, true, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, func(o *Options) {
				o.GC.StatelessTerminatingPodOnReadyNode, o.GC.StatelessTerminatingPodOnNotReadyNode = tt.ready, tt.notReady
			})
			node := e.ns + "-missing"
			if tt.node != "missing" {
				node = e.node("n", tt.node == "ready")
			}
			p := e.pod("p", node)
			pool := e.pool("v4", recOf(e.ip(1), p))
			e.endpoint("p", string(p.UID), podOwner(p), poolAddr{pool, e.ip(1)})
			e.terminate(p)

			after, err := e.reconcile("p")
			if err != nil || after <= 55*time.Second || after > 61*time.Second {
				t.Fatalf("in grace: requeue after %v, err %v; want about 60s (deletionTimestamp + grace)", after, err)
			}
			e.wantRecords(pool, recOf(e.ip(1), p))
			e.wantEndpoint("p", epKept)

			e.clock.Step(after)
			if after, err = e.reconcile("p"); err != nil || after != 0 {
				t.Fatalf("past grace: requeue after %v, err %v", after, err)
			}
			if tt.wantReleased {
				e.wantRecords(pool)
				e.wantEndpoint("p", epDeleted) // the pod still exists: its owner reference would keep the endpoint
				if got := e.counter(MetricGCCounts); got != 1 {
					t.Errorf("%s = %v, want 1", MetricGCCounts, got)
				}
				return
			}
			e.wantRecords(pool, recOf(e.ip(1), p))
			e.wantEndpoint("p", epKept)
			e.scan() // the full scan applies the same switches
			e.wantRecords(pool, recOf(e.ip(1), p))
			e.wantEndpoint("p", epKept)
		})
	}
}

// SPIDERPOOL_GC_ADDITIONAL_GRACE_DELAY extends the grace period of a
// terminating pod, and delays the release of a pod that is gone.
func TestAdditionalGraceDelay(t *testing.T) {
	e := newEnv(t, func(o *Options) { o.GC.AdditionalGraceDelay = 45 * time.Second })
	node := e.node("n", true)
	term := e.pod("term", node)
	gone := e.pod("gone", node)
	pool := e.pool("v4", recOf(e.ip(1), term), recOf(e.ip(2), gone))
	e.endpoint("term", string(term.UID), podOwner(term), poolAddr{pool, e.ip(1)})
	e.endpoint("gone", string(gone.UID), podOwner(gone), poolAddr{pool, e.ip(2)})
	e.terminate(term)
	e.remove(gone)

	after, err := e.reconcile("term")
	if err != nil || after <= 75*time.Second || after > 106*time.Second {
		t.Fatalf("terminating: requeue after %v, err %v; want about 105s", after, err)
	}
	if after, err := e.reconcile("gone"); err != nil || after != 45*time.Second {
		t.Fatalf("gone: requeue after %v, err %v; want 45s", after, err)
	}
	e.clock.Step(after - time.Second)
	if after, err := e.reconcile("term"); err != nil || after != time.Second {
		t.Fatalf("terminating, 1s before due: requeue after %v, err %v", after, err)
	}
	if after, err := e.reconcile("gone"); err != nil || after != 0 {
		t.Fatalf("gone, 45s later: requeue after %v, err %v", after, err)
	}
	e.wantRecords(pool, recOf(e.ip(1), term))
	e.wantEndpoint("term", epKept)
	e.wantEndpoint("gone", epDeleted)
	e.clock.Step(time.Second)
	if _, err := e.reconcile("term"); err != nil {
		t.Fatal(err)
	}
	e.wantRecords(pool)
	e.wantEndpoint("term", epDeleted)
}

// Path A: finished pods wait for their last container's finishedAt +
// terminationGracePeriodSeconds, then are released. A pod in phase
// Succeeded or Failed is finished whatever its restartPolicy (the kubelet
// never runs it again; Spiderpool kept a Failed pod with restartPolicy
// Always or OnFailure): a graceful node shutdown marks every pod of the
// node Failed with reason Terminated. The node switches, which are about
// terminating pods, do not apply.
func TestFinishedPods(t *testing.T) {
	tests := []struct {
		name         string
		phase        corev1.PodPhase
		policy       corev1.RestartPolicy
		reason       string
		wantReleased bool
	}{
		{"succeeded, restartPolicy Never", corev1.PodSucceeded, corev1.RestartPolicyNever, "", true},
		{"succeeded, restartPolicy OnFailure", corev1.PodSucceeded, corev1.RestartPolicyOnFailure, "", true},
		{"failed, restartPolicy Never", corev1.PodFailed, corev1.RestartPolicyNever, "", true},
		{"failed and evicted", corev1.PodFailed, corev1.RestartPolicyAlways, "Evicted", true},
		{"failed by a graceful node shutdown, restartPolicy Always", corev1.PodFailed, corev1.RestartPolicyAlways, "Terminated", true},
		{"failed, restartPolicy OnFailure", corev1.PodFailed, corev1.RestartPolicyOnFailure, "", true},
		{"succeeded, restartPolicy Always", corev1.PodSucceeded, corev1.RestartPolicyAlways, "", true},
		{"running, restartPolicy Always: alive", corev1.PodRunning, corev1.RestartPolicyAlways, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, func(o *Options) {
				o.GC.StatelessTerminatingPodOnReadyNode, o.GC.StatelessTerminatingPodOnNotReadyNode = false, false
			})
			p := e.pod("job", e.node("n", true), restartPolicy(tt.policy))
			pool := e.pool("v4", recOf(e.ip(1), p))
			e.endpoint("job", string(p.UID), podOwner(p), poolAddr{pool, e.ip(1)})
			finished := metav1.NewTime(p.CreationTimestamp.Add(5 * time.Second))
			e.clock.SetTime(finished.Add(10 * time.Second))
			e.podStatus(p, func(s *corev1.PodStatus) {
				s.Phase, s.Reason = tt.phase, tt.reason
				s.ContainerStatuses = []corev1.ContainerStatus{{Name: "c", Image: "pause", State: corev1.ContainerState{
					Terminated: &corev1.ContainerStateTerminated{ExitCode: 1, FinishedAt: finished}}}}
			})
			after, err := e.reconcile("job")
			if err != nil {
				t.Fatal(err)
			}
			if !tt.wantReleased {
				e.clock.Step(time.Hour)
				if after, err := e.reconcile("job"); err != nil || after != 0 {
					t.Fatalf("alive pod: requeue after %v, err %v", after, err)
				}
				e.wantRecords(pool, recOf(e.ip(1), p))
				e.wantEndpoint("job", epKept)
				return
			}
			if after != 20*time.Second {
				t.Fatalf("in grace: requeue after %v, want 20s (finishedAt + 30s)", after)
			}
			e.wantRecords(pool, recOf(e.ip(1), p))
			e.clock.Step(after)
			if _, err := e.reconcile("job"); err != nil {
				t.Fatal(err)
			}
			e.wantRecords(pool)
			e.wantEndpoint("job", epDeleted)
		})
	}
}

// A finished pod and a pod stuck Terminating stay in the API after their
// addresses are freed. Their endpoints go too: the owner reference would
// delete them only with the pod, and meanwhile they would list addresses
// that the next pods get (one IPv4 on two endpoints in kubectl get se).
func TestEndpointOfLingeringPodDeleted(t *testing.T) {
	e := newEnv(t, nil)
	node := e.node("n", false)
	job := e.pod("job", node, restartPolicy(corev1.RestartPolicyNever))
	stuck := e.pod("stuck", node)
	pool := e.pool("v4", recOf(e.ip(1), job), recOf(e.ip(2), stuck))
	e.endpoint("job", string(job.UID), podOwner(job), poolAddr{pool, e.ip(1)})
	e.endpoint("stuck", string(stuck.UID), podOwner(stuck), poolAddr{pool, e.ip(2)})
	e.podStatus(job, func(s *corev1.PodStatus) {
		s.Phase = corev1.PodSucceeded
		s.ContainerStatuses = []corev1.ContainerStatus{{Name: "c", Image: "pause", State: corev1.ContainerState{
			Terminated: &corev1.ContainerStateTerminated{FinishedAt: metav1.Now()}}}}
	})
	e.terminate(stuck)
	e.clock.Step(time.Hour)

	for _, name := range []string{"job", "stuck"} {
		if _, err := e.reconcile(name); err != nil {
			t.Fatal(err)
		}
		e.wantEndpoint(name, epDeleted)
	}
	e.wantRecords(pool)
	for _, p := range []*corev1.Pod{job, stuck} {
		if err := e.c.Get(e.ctx(), keyIn(e.ns, p.Name), &corev1.Pod{}); err != nil {
			t.Errorf("pod %s: %v; want it still there", p.Name, err)
		}
	}
}

// SPIDERPOOL_GC_ENABLE_STATELESS_RUNNING_POD_ON_EMPTY_POD_STATUS_IPS.
func TestRunningPodWithoutPodIPs(t *testing.T) {
	for _, on := range []bool{false, true} {
		e := newEnv(t, func(o *Options) { o.GC.StatelessRunningPodOnEmptyPodStatusIPs = on })
		p := e.pod("p", e.node("n", true))
		pool := e.pool("v4", recOf(e.ip(1), p))
		e.endpoint("p", string(p.UID), podOwner(p), poolAddr{pool, e.ip(1)})
		e.podStatus(p, func(s *corev1.PodStatus) { s.Phase = corev1.PodRunning })
		e.scan()
		if on {
			e.wantRecords(pool)
			e.wantEndpoint("p", epDeleted)
		} else {
			e.wantRecords(pool, recOf(e.ip(1), p))
			e.wantEndpoint("p", epKept)
		}
	}
}

// Path B: an endpoint whose pod is gone, or re-created with another UID,
// is released and deleted; the new pod's records are not touched.
func TestEndpointOfDeadPod(t *testing.T) {
	e := newEnv(t, nil)
	node := e.node("n", true)
	gone := e.pod("gone", node)
	deploy := e.pod("deploy-x", node)
	re := e.pod("re", node)
	oldRe := recOf(e.ip(3), re)
	pool := e.pool("v4", recOf(e.ip(1), gone), recOf(e.ip(2), deploy), oldRe)
	e.endpoint("gone", string(gone.UID), podOwner(gone), poolAddr{pool, e.ip(1)})
	e.endpoint("deploy-x", string(deploy.UID), owner{kind: "Deployment", name: "deploy", ref: deploy}, poolAddr{pool, e.ip(2)})
	e.endpoint("re", string(re.UID), podOwner(re), poolAddr{pool, e.ip(3)})
	e.remove(gone)
	e.remove(deploy)
	re = e.recreate(re)
	e.setRecords(pool, recOf(e.ip(1), gone), recOf(e.ip(2), deploy), oldRe, recOf(e.ip(4), re)) // re's new ADD in flight

	for _, name := range []string{"gone", "deploy-x", "re"} {
		if after, err := e.reconcile(name); err != nil || after != 0 {
			t.Fatalf("reconcile %s: requeue after %v, err %v", name, after, err)
		}
		e.wantEndpoint(name, epDeleted)
	}
	e.wantRecords(pool, recOf(e.ip(4), re))
	if got := e.counter(MetricGCCounts); got != 3 {
		t.Errorf("%s = %v, want 3", MetricGCCounts, got)
	}
}

// Path B for StatefulSets: the endpoint of an ordinal still within
// replicas is kept for the re-created pod; otherwise it is released and
// deleted (it has no owner reference).
func TestStatefulSetEndpoint(t *testing.T) {
	tests := []struct {
		name         string
		replicas     *int32 // nil: no StatefulSet
		start        int32
		pod          string
		disable      bool
		terminating  bool
		wantReleased bool
	}{
		{"ordinal in range", ptr.To[int32](3), 0, "web-2", false, false, false},
		{"ordinal out of range", ptr.To[int32](2), 0, "web-2", false, false, true},
		{"scaled to zero", ptr.To[int32](0), 0, "web-0", false, false, true},
		{"ordinals.start, in range", ptr.To[int32](2), 5, "web-6", false, false, false},
		{"ordinals.start, below", ptr.To[int32](2), 5, "web-4", false, false, true},
		{"StatefulSet deleted", nil, 0, "web-0", false, false, true},
		{"enableStatefulSet off", ptr.To[int32](3), 0, "web-1", true, false, true},
		{"terminating, in range", ptr.To[int32](3), 0, "web-1", false, true, false},
		{"terminating, out of range", ptr.To[int32](1), 0, "web-1", false, true, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, func(o *Options) { o.EnableStatefulSet = !tt.disable })
			if tt.replicas != nil {
				e.statefulSet("web", *tt.replicas, tt.start)
			}
			p := e.pod(tt.pod, e.node("n", true), ofStatefulSet("web"))
			pool := e.pool("v4", recOf(e.ip(1), p))
			e.endpoint(tt.pod, string(p.UID), owner{kind: "StatefulSet", name: "web"}, poolAddr{pool, e.ip(1)})
			if tt.terminating {
				e.terminate(p)
				e.clock.Step(2 * time.Minute)
			} else {
				e.remove(p)
			}
			e.scan()
			if tt.wantReleased {
				e.wantRecords(pool)
				e.wantEndpoint(tt.pod, epDeleted)
			} else {
				e.wantRecords(pool, recOf(e.ip(1), p))
				e.wantEndpoint(tt.pod, epKept)
			}
		})
	}
}

// statefulSet creates a StatefulSet (no controller runs it).
func (e *env) statefulSet(name string, replicas, start int32) {
	e.t.Helper()
	labels := map[string]string{"app": name}
	sts := &appsv1.StatefulSet{
		ObjectMeta: metav1.ObjectMeta{Namespace: e.ns, Name: name},
		Spec: appsv1.StatefulSetSpec{
			Replicas: &replicas, Selector: &metav1.LabelSelector{MatchLabels: labels}, ServiceName: name,
			Template: corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: labels},
				Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "c", Image: "pause"}}}},
		},
	}
	if start > 0 {
		sts.Spec.Ordinals = &appsv1.StatefulSetOrdinals{Start: start}
	}
	e.create(sts)
}

func (e *env) scaleStatefulSet(name string, replicas int32) {
	e.t.Helper()
	sts := &appsv1.StatefulSet{}
	if err := e.c.Get(e.ctx(), keyIn(e.ns, name), sts); err != nil {
		e.t.Fatal(err)
	}
	sts.Spec.Replicas = &replicas
	if err := e.c.Update(e.ctx(), sts); err != nil {
		e.t.Fatal(err)
	}
}

// Path C: pool records that no endpoint of their UID names. Released only
// when the fresh read shows their pod gone or of another UID.
func TestOrphanRecords(t *testing.T) {
	e := newEnv(t, nil)
	node := e.node("n", true)
	gone := e.pod("gone", node)
	alive := e.pod("alive", node)
	term := e.pod("term", node)
	re := e.pod("re", node)
	claimer := e.pod("claimer", node)
	oldRe, oldClaimer := recOf(e.ip(4), re), rec{ip: e.ip(6), name: "claimer", uid: "uid-previous-claimer"}
	e.remove(gone)
	e.terminate(term)
	re = e.recreate(re)
	e.endpoint("claimer", string(claimer.UID), podOwner(claimer), poolAddr{e.ns + "-v4", e.ip(6)})
	noUID := rec{ip: e.ip(7), name: "legacy", uid: ""}
	pool := e.pool("v4", recOf(e.ip(1), gone), recOf(e.ip(2), alive), recOf(e.ip(3), term), oldRe, recOf(e.ip(5), re),
		oldClaimer, noUID)
	e.clock.Step(time.Hour) // every grace period is over

	e.scan()
	e.wantRecords(pool,
		recOf(e.ip(2), alive), // allocating right now: same UID, no endpoint yet
		recOf(e.ip(3), term),  // terminating, same UID, no endpoint: kept until the pod is gone
		recOf(e.ip(5), re),    // the new incarnation's ADD in flight
		oldClaimer,            // dead UID, but the live endpoint hands the address out
		noUID,                 // nothing proves it dead
	)
	if got := e.counter(MetricGCCounts); got != 2 {
		t.Errorf("%s = %v, want 2", MetricGCCounts, got)
	}
	e.wantEndpoint("claimer", epKept)

	e.remove(term)
	e.scan()
	e.wantRecords(pool, recOf(e.ip(2), alive), recOf(e.ip(5), re), oldClaimer, noUID)
}
