// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package chaos

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"

	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
	"github.com/spiderpool-go/spiderpool/test/utils"
)

// TestWatcherFindsViolations proves the checker can fail: on a real API
// server (envtest), two live pods showing one IP, a running pod whose IP
// its pool records for another UID, and a record whose holder is gone are
// each found; the orphan is timed once it is freed.
func TestWatcherFindsViolations(t *testing.T) {
	ctx, c, w := startWatcher(t)
	const ip, other = "10.253.0.10", "10.253.0.11"
	a := runningPod(t, ctx, c, "a", ip)
	runningPod(t, ctx, c, "b", ip)
	setRecords(t, ctx, c, map[string]spiderpoolv2beta1.PoolIPAllocation{
		ip:    spiderpoolv2beta1.NewPoolIPAllocation(testNS, "a", string(a.UID)),
		other: spiderpoolv2beta1.NewPoolIPAllocation(testNS, "gone", "uid-gone"),
	})
	utils.Eventually(t, 30*time.Second, func() error {
		w.Sample(ctx)
		return wantFindings(w.Stats().Findings, "DUPLICATE pod IP "+ip, "UNRECORDED: running pod chaos/b")
	})
	utils.Eventually(t, 30*time.Second, func() error {
		w.Sample(ctx)
		if orphans := w.Orphans(); len(orphans) != 1 {
			return fmt.Errorf("Orphans() = %v; want the record of chaos/gone", orphans)
		}
		return nil
	})
	problems := w.finalProblems(ctx, Shape{}, false)
	if !slices.ContainsFunc(problems, func(p string) bool { return strings.HasPrefix(p, "leaked record "+other) }) {
		t.Errorf("finalProblems() = %q; want the leaked record of %s", problems, other)
	}
	setRecords(t, ctx, c, map[string]spiderpoolv2beta1.PoolIPAllocation{ip: spiderpoolv2beta1.NewPoolIPAllocation(testNS, "a", string(a.UID))})
	utils.Eventually(t, 30*time.Second, func() error {
		w.Sample(ctx)
		if len(w.Orphans()) != 0 || w.Stats().WorstOrphanLife == 0 {
			return errors.New("the freed orphan is not timed yet")
		}
		return nil
	})
	if s := w.Stats(); s.Allocations < 2 || s.Releases < 1 {
		t.Errorf("Stats() counts %d allocations and %d releases; want at least 2 and 1", s.Allocations, s.Releases)
	}
}

const testNS = "chaos"

func startWatcher(t *testing.T) (context.Context, client.Client, *Watcher) {
	t.Helper()
	scheme := runtime.NewScheme()
	if err := errors.Join(clientgoscheme.AddToScheme(scheme), spiderpoolv2beta1.AddToScheme(scheme)); err != nil {
		t.Fatal(err)
	}
	env, err := utils.NewEnvtest(scheme)
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := env.Start()
	if err != nil {
		t.Fatalf("start envtest: %v", err)
	}
	t.Cleanup(func() { _ = env.Stop() })
	ctx := t.Context()
	c, err := client.New(cfg, client.Options{Scheme: scheme})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: testNS}}); err != nil {
		t.Fatal(err)
	}
	for _, p := range Pools(10) {
		if err := c.Create(ctx, p); err != nil {
			t.Fatal(err)
		}
	}
	ca, err := cache.New(cfg, cache.Options{Scheme: scheme})
	if err != nil {
		t.Fatal(err)
	}
	w, err := NewWatcher(ctx, ca, c, testNS, NewInjector(nil, c, nil, testNS, 1))
	if err != nil {
		t.Fatal(err)
	}
	return ctx, c, w
}

func runningPod(t *testing.T, ctx context.Context, c client.Client, name, ip string) *corev1.Pod {
	t.Helper()
	p := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Namespace: testNS, Name: name},
		Spec: corev1.PodSpec{NodeName: "n1", Containers: []corev1.Container{{Name: "c", Image: "pause"}}}}
	if err := c.Create(ctx, p); err != nil {
		t.Fatal(err)
	}
	p.Status = corev1.PodStatus{Phase: corev1.PodRunning, PodIP: ip, PodIPs: []corev1.PodIP{{IP: ip}}}
	if err := c.Status().Update(ctx, p); err != nil {
		t.Fatal(err)
	}
	return p
}

func setRecords(t *testing.T, ctx context.Context, c client.Client, recs map[string]spiderpoolv2beta1.PoolIPAllocation) {
	t.Helper()
	p := &spiderpoolv2beta1.SpiderIPPool{}
	if err := c.Get(ctx, client.ObjectKey{Name: PoolV4}, p); err != nil {
		t.Fatal(err)
	}
	p.Status.AllocatedIPs = spiderpoolv2beta1.FormatAllocatedIPs(recs)
	if err := c.Status().Update(ctx, p); err != nil {
		t.Fatal(err)
	}
}

func wantFindings(got []string, prefixes ...string) error {
	for _, want := range prefixes {
		if !slices.ContainsFunc(got, func(f string) bool { return strings.Contains(f, want) }) {
			return errors.New("no finding " + want + " yet")
		}
	}
	return nil
}

// TestUnreadyPodsAreDescribed: a settle problem names the workload's
// unready pods with their node, state and newest event.
func TestUnreadyPodsAreDescribed(t *testing.T) {
	ctx, c, w := startWatcher(t)
	labels := map[string]string{"app": "diag"}
	ready := runningPod(t, ctx, c, "ready", "10.253.0.20")
	ready.Labels = labels
	if err := c.Update(ctx, ready); err != nil {
		t.Fatal(err)
	}
	ready.Status.Conditions = []corev1.PodCondition{{Type: corev1.PodReady, Status: corev1.ConditionTrue}}
	if err := c.Status().Update(ctx, ready); err != nil {
		t.Fatal(err)
	}
	stuck := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Namespace: testNS, Name: "stuck", Labels: labels},
		Spec: corev1.PodSpec{NodeName: "n2", Containers: []corev1.Container{{Name: "c", Image: "pause"}}}}
	if err := c.Create(ctx, stuck); err != nil {
		t.Fatal(err)
	}
	for i, reason := range []string{"Scheduled", "FailedCreatePodSandBox"} {
		ev := &corev1.Event{ObjectMeta: metav1.ObjectMeta{Namespace: testNS, Name: fmt.Sprintf("stuck.%d", i)},
			InvolvedObject: corev1.ObjectReference{Kind: "Pod", Namespace: testNS, Name: "stuck", UID: stuck.UID},
			Reason:         reason, Message: "msg of " + reason,
			LastTimestamp: metav1.NewTime(time.Now().Add(time.Duration(i) * time.Minute))}
		if err := c.Create(ctx, ev); err != nil {
			t.Fatal(err)
		}
	}
	got := w.unreadyPods(ctx, &metav1.LabelSelector{MatchLabels: labels})
	if len(got) != 1 || !strings.Contains(got[0], `pod stuck on "n2"`) ||
		!strings.Contains(got[0], "FailedCreatePodSandBox msg of FailedCreatePodSandBox") {
		t.Errorf("unreadyPods() = %q; want only the stuck pod with its newest event", got)
	}
}
