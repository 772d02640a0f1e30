// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package ctl

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
)

func TestPoolListCommand(t *testing.T) {
	e := newKenv(t)
	a := e.pod("a")
	pool := e.pool("p", "10.10.0.0/24", []string{"10.10.0.10-10.10.0.19"}, map[string][2]string{
		"10.10.0.10": {"a", string(a.UID)}, "10.10.0.11": {"ghost", "uid-ghost"},
	})
	reserved := &spiderpoolv2beta1.SpiderReservedIP{
		ObjectMeta: metav1.ObjectMeta{Name: e.ns + "-r"},
		Spec:       spiderpoolv2beta1.ReservedIPSpec{IPVersion: ptr.To[int64](4), IPs: []string{"10.10.0.19"}},
	}
	e.create(reserved)
	t.Cleanup(func() { _ = e.c.Delete(context.WithoutCancel(e.ctx()), reserved) })
	terminating := e.pool("t", "10.10.1.0/24", []string{"10.10.1.1"}, nil)
	e.terminate(terminating)

	var list PoolList
	e.runJSON(ExitOK, &list, "pool", "list")
	got := map[string]PoolRow{}
	for _, r := range list.Pools {
		got[r.Name] = r
	}
	want := map[string]PoolRow{
		pool:        {Name: pool, IPVersion: 4, Subnet: "10.10.0.0/24", Used: 2, Free: 7, Total: 10, Reserved: 1},
		terminating: {Name: terminating, IPVersion: 4, Subnet: "10.10.1.0/24", Free: 1, Total: 1, Terminating: true},
	}
	for name, w := range want {
		if diff := cmp.Diff(w, got[name]); diff != "" {
			t.Errorf("pool %s (-want +got):\n%s", name, diff)
		}
	}
	code, out, _ := e.run("pool", "list")
	if code != ExitOK || !strings.Contains(out, "TERMINATING") || !strings.Contains(out, pool) {
		t.Errorf("pool list table: exit %d\n%s", code, out)
	}
}

// terminate deletes a pool held by a test finalizer, so that it stays
// terminating until the test ends.
func (e *kenv) terminate(pool string) {
	e.t.Helper()
	p := &spiderpoolv2beta1.SpiderIPPool{}
	if err := e.c.Get(e.ctx(), client.ObjectKey{Name: pool}, p); err != nil {
		e.t.Fatal(err)
	}
	p.Finalizers = append(p.Finalizers, "test.spidernet.io/hold")
	if err := e.c.Update(e.ctx(), p); err != nil {
		e.t.Fatal(err)
	}
	if err := e.c.Delete(e.ctx(), p); err != nil {
		e.t.Fatal(err)
	}
	e.t.Cleanup(func() {
		ctx := context.WithoutCancel(e.ctx())
		if err := e.c.Get(ctx, client.ObjectKey{Name: pool}, p); err == nil {
			p.Finalizers = nil
			_ = e.c.Update(ctx, p)
		}
	})
}

func TestIPShowCommand(t *testing.T) {
	e := newKenv(t)
	a := e.pod("a")
	pool := e.pool("p", "10.11.0.0/24", []string{"10.11.0.10-10.11.0.19"}, map[string][2]string{"10.11.0.10": {"a", string(a.UID)}})
	e.endpoint("a", string(a.UID), "Pod", "a", v4("eth0", "10.11.0.10/24", pool))

	var rep IPReport
	e.runJSON(ExitOK, &rep, "ip", "show", "10.11.0.10")
	if len(rep.Holders) != 1 {
		t.Fatalf("holders = %+v, want one", rep.Holders)
	}
	h := rep.Holders[0]
	if h.Pool != pool || h.Pod != e.ns+"/a" || h.UID != string(a.UID) || h.Node != "node1" || h.NIC != "eth0" ||
		!h.Recorded || !h.Endpoint || !h.Alive || h.Since == nil || h.WouldRelease {
		t.Errorf("holder = %+v", h)
	}

	e.runJSON(ExitOK, &rep, "ip", "show", "10.11.0.11")
	if len(rep.Holders) != 0 {
		t.Errorf("free address: holders = %+v", rep.Holders)
	}
	if code, _, errOut := e.run("ip", "show", "10.11.0"); code != ExitError || !strings.Contains(errOut, "bad argument") {
		t.Errorf("bad IP: exit %d, stderr %q", code, errOut)
	}
}

func TestPodShowCommand(t *testing.T) {
	e := newKenv(t)
	b := e.pod("b")
	uid := string(b.UID)
	p1 := e.pool("p1", "10.12.0.0/24", []string{"10.12.0.10-10.12.0.19"}, map[string][2]string{"10.12.0.10": {"b", uid}})
	p2 := e.pool("p2", "10.12.1.0/24", []string{"10.12.1.10-10.12.1.19"}, map[string][2]string{"10.12.1.10": {"b", uid}})
	net1 := v4("net1", "10.12.1.10/24", p2)
	net1.IPv4Gateway = ptr.To("10.12.1.1")
	net1.Routes = []spiderpoolv2beta1.Route{{Dst: "10.99.0.0/16", Gw: "10.12.1.1"}}
	net1.Vlan = ptr.To[int64](0)
	e.endpoint("b", uid, "Pod", "b", v4("eth0", "10.12.0.10/24", p1), net1)

	for _, args := range [][]string{{"pod", "show", e.ns + "/b"}, {"pod", "show", "-n", e.ns, "b"}} {
		var rep PodReport
		e.runJSON(ExitOK, &rep, args...)
		want := []NICAddresses{
			{NIC: "eth0", IPv4: "10.12.0.10/24", IPv4Pool: p1},
			{NIC: "net1", IPv4: "10.12.1.10/24", IPv4Pool: p2, IPv4Gateway: "10.12.1.1", Routes: []string{"10.99.0.0/16 via 10.12.1.1"}},
		}
		if diff := cmp.Diff(want, rep.NICs); diff != "" {
			t.Errorf("%v: interfaces (-want +got):\n%s", args, diff)
		}
		if rep.PodUID != uid || rep.EndpointUID != uid || len(rep.Records) != 2 || rep.Owner != "Pod/b" {
			t.Errorf("%v: report = %+v", args, rep)
		}
	}
	if code, _, _ := e.run("pod", "show", "-n", "other", e.ns+"/b"); code != ExitError {
		t.Errorf("conflicting namespaces: exit %d, want %d", code, ExitError)
	}
}

func TestCheckCommand(t *testing.T) {
	e := newKenv(t)
	a := e.pod("a")
	pool := e.pool("p", "10.13.0.0/24", []string{"10.13.0.10-10.13.0.29"}, map[string][2]string{"10.13.0.10": {"a", string(a.UID)}})
	e.endpoint("a", string(a.UID), "Pod", "a", v4("eth0", "10.13.0.10/24", pool))
	var rep CheckReport
	e.runJSON(ExitOK, &rep, "check")
	if got := e.findings(rep); len(got) != 0 {
		t.Fatalf("clean cluster: findings %v", got)
	}

	// A StatefulSet pod that is gone while its ordinal is wanted: kept by design, not a problem.
	e.create(&appsv1.StatefulSet{
		ObjectMeta: metav1.ObjectMeta{Namespace: e.ns, Name: "web"},
		Spec: appsv1.StatefulSetSpec{
			Replicas: ptr.To[int32](2), Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": "web"}},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{"app": "web"}},
				Spec:       corev1.PodSpec{Containers: []corev1.Container{{Name: "c", Image: "pause"}}},
			},
		},
	})
	recs := map[string][2]string{"10.13.0.10": {"a", string(a.UID)}, "10.13.0.11": {"web-0", "uid-web-0-old"}}
	e.setRecords(pool, recs)
	e.endpoint("web-0", "uid-web-0-old", "StatefulSet", "web", v4("eth0", "10.13.0.11/24", pool))
	e.runJSON(ExitOK, &rep, "check")
	if diff := cmp.Diff([]string{"kept-by-design 10.13.0.11 web-0"}, e.findings(rep)); diff != "" {
		t.Fatalf("StatefulSet (-want +got):\n%s", diff)
	}

	// Injected: a leak (record of a UID whose pod does not exist) and a
	// duplicate (the same address recorded in a second pool for a live pod).
	recs["10.13.0.20"] = [2]string{"ghost", "uid-ghost"}
	e.setRecords(pool, recs)
	c := e.pod("c")
	dup := e.pool("dup", "10.13.0.0/24", []string{"10.13.0.10"}, map[string][2]string{"10.13.0.10": {"c", string(c.UID)}})
	e.endpoint("c", string(c.UID), "Pod", "c", v4("eth0", "10.13.0.10/24", dup))
	e.runJSON(ExitProblems, &rep, "check")
	want := []string{
		"duplicate-claim 10.13.0.10 c", "duplicate-claim 10.13.0.10 a", // by pool: <ns>-dup before <ns>-p
		"duplicate-record 10.13.0.10 c", "duplicate-record 10.13.0.10 a",
		"leaked-record 10.13.0.20 ghost",
		"kept-by-design 10.13.0.11 web-0",
	}
	if diff := cmp.Diff(want, e.findings(rep)); diff != "" {
		t.Errorf("injected problems (-want +got):\n%s", diff)
	}
	code, out, _ := e.run("check")
	if code != ExitProblems || !strings.Contains(out, "PROBLEM   leaked-record") {
		t.Errorf("check table: exit %d\n%s", code, out)
	}
}

func TestIPReleaseCommand(t *testing.T) {
	e := newKenv(t)
	a := e.pod("a")
	pool := e.pool("p", "10.14.0.0/24", []string{"10.14.0.10-10.14.0.29"}, map[string][2]string{
		"10.14.0.10": {"a", string(a.UID)}, "10.14.0.20": {"ghost", "uid-ghost"},
	})
	e.endpoint("a", string(a.UID), "Pod", "a", v4("eth0", "10.14.0.10/24", pool))
	e.endpoint("ghost", "uid-ghost", "Pod", "ghost", v4("eth0", "10.14.0.20/24", pool))
	before := e.records(pool)

	code, _, errOut := e.run("ip", "release", "10.14.0.10")
	if code != ExitProblems || !strings.Contains(errOut, "alive") || !strings.Contains(errOut, e.ns+"/a") {
		t.Errorf("release of a live pod's IP: exit %d, stderr %q", code, errOut)
	}
	if code, _, _ := e.run("ip", "release", "10.14.0.20", "--pool", "other"); code != ExitError {
		t.Errorf("release in another pool: exit %d, want %d", code, ExitError)
	}
	var rep ReleaseReport
	e.runJSON(ExitOK, &rep, "ip", "release", "10.14.0.20", "--dry-run")
	if !rep.DryRun || len(rep.Actions) != 2 || rep.Actions[0].Result != resultPlanned {
		t.Errorf("dry run = %+v", rep)
	}
	if diff := cmp.Diff(before, e.records(pool)); diff != "" {
		t.Fatalf("refused and dry-run releases changed the pool (-before +after):\n%s", diff)
	}

	e.runJSON(ExitOK, &rep, "ip", "release", "10.14.0.20", "--pool", pool)
	ops := []string{}
	for _, act := range rep.Actions {
		ops = append(ops, act.Op+" "+act.Result)
	}
	if diff := cmp.Diff([]string{"remove-record done", "delete-endpoint done"}, ops); diff != "" {
		t.Errorf("actions (-want +got):\n%s", diff)
	}
	if got := e.records(pool); len(got) != 1 || got["10.14.0.10"].PodUID != string(a.UID) {
		t.Errorf("records after release = %v, want only the live pod's", got)
	}
	err := e.c.Get(e.ctx(), client.ObjectKey{Namespace: e.ns, Name: "ghost"}, &spiderpoolv2beta1.SpiderEndpoint{})
	if !apierrors.IsNotFound(err) {
		t.Errorf("ghost endpoint: %v, want not found", err)
	}
	var check CheckReport
	e.runJSON(ExitOK, &check, "check")
	if got := e.findings(check); len(got) != 0 {
		t.Errorf("check after release: %v", got)
	}
}

// TestIPReleaseKeepsConcurrentRecords makes an agent write the pool between
// the CLI's read and its write: the CLI's write conflicts, it re-reads, and
// the agent's new record survives.
func TestIPReleaseKeepsConcurrentRecords(t *testing.T) {
	e := newKenv(t)
	pool := e.pool("p", "10.15.0.0/24", []string{"10.15.0.10-10.15.0.29"}, map[string][2]string{
		"10.15.0.10": {"b", "uid-b"}, "10.15.0.20": {"ghost", "uid-ghost"},
	})
	b := e.pod("b")
	e.setRecords(pool, map[string][2]string{"10.15.0.10": {"b", string(b.UID)}, "10.15.0.20": {"ghost", "uid-ghost"}})
	e.endpoint("b", string(b.UID), "Pod", "b", v4("eth0", "10.15.0.10/24", pool))

	var writes int
	racing := interceptStatusUpdates(t, func(ctx context.Context) {
		writes++
		if writes == 1 { // an agent allocates 10.15.0.11 meanwhile
			e.setRecords(pool, map[string][2]string{
				"10.15.0.10": {"b", string(b.UID)}, "10.15.0.11": {"new", "uid-new"}, "10.15.0.20": {"ghost", "uid-ghost"},
			})
		}
	})
	code, out, errOut := e.runWith(racing, "ip", "release", "10.15.0.20")
	if code != ExitOK {
		t.Fatalf("release: exit %d\n%s%s", code, out, errOut)
	}
	if writes < 2 {
		t.Errorf("%d status writes, want a conflict and a retry", writes)
	}
	got := slices.Sorted(mapsKeys(e.records(pool)))
	if diff := cmp.Diff([]string{"10.15.0.10", "10.15.0.11"}, got); diff != "" {
		t.Errorf("records after a racing release (-want +got):\n%s", diff)
	}
}

// TestCheckFollowsConfigMap: with enableStatefulSet false in
// spiderpool-conf, a dead StatefulSet pod's record is a leak, as the GC
// would then release it.
func TestCheckFollowsConfigMap(t *testing.T) {
	e := newKenv(t)
	e.create(&corev1.ConfigMap{
		ObjectMeta: metav1.ObjectMeta{Namespace: e.ns, Name: "spiderpool-conf"},
		Data:       map[string]string{"conf.yml": "enableStatefulSet: false\nenableIPv4: true\n"},
	})
	e.create(&appsv1.StatefulSet{
		ObjectMeta: metav1.ObjectMeta{Namespace: e.ns, Name: "web"},
		Spec: appsv1.StatefulSetSpec{
			Replicas: ptr.To[int32](1), Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": "web"}},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{"app": "web"}},
				Spec:       corev1.PodSpec{Containers: []corev1.Container{{Name: "c", Image: "pause"}}},
			},
		},
	})
	pool := e.pool("p", "10.17.0.0/24", []string{"10.17.0.10-10.17.0.19"}, map[string][2]string{"10.17.0.10": {"web-0", "uid-web-0"}})
	e.endpoint("web-0", "uid-web-0", "StatefulSet", "web", v4("eth0", "10.17.0.10/24", pool))

	var rep CheckReport
	e.runJSON(ExitOK, &rep, "check")
	if diff := cmp.Diff([]string{"kept-by-design 10.17.0.10 web-0"}, e.findings(rep)); diff != "" {
		t.Errorf("chart defaults (-want +got):\n%s", diff)
	}
	e.runJSON(ExitProblems, &rep, "check", "--config-map", e.ns+"/spiderpool-conf")
	if diff := cmp.Diff([]string{"leaked-record 10.17.0.10 web-0"}, e.findings(rep)); diff != "" {
		t.Errorf("enableStatefulSet false (-want +got):\n%s", diff)
	}
}
