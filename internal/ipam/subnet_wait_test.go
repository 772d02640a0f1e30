// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package ipam_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
	"github.com/spiderpool-go/spiderpool/internal/allocator"
	"github.com/spiderpool-go/spiderpool/internal/annotation"
	"github.com/spiderpool-go/spiderpool/internal/autopool"
	"github.com/spiderpool-go/spiderpool/internal/ipam"
)

// allocateAsync starts Allocate and returns where its outcome arrives.
func allocateAsync(t *testing.T, e *subnetEnv, req ipam.AllocateRequest) <-chan error {
	t.Helper()
	done := make(chan error, 1)
	go func() {
		_, err := e.svc.Allocate(t.Context(), req)
		done <- err
	}()
	return done
}

// TestSubnetWaitIsEventDriven starts an ADD before its pool exists, then
// creates the pool too small, then at its size. The fake clock never
// moves: only the pool events can end the wait.
func TestSubnetWaitIsEventDriven(t *testing.T) {
	v4only := subnetConfig()
	v4only.EnableIPv6 = false
	objs := subnetObjects()
	sn4 := objs[0].(*spiderpoolv2beta1.SpiderSubnet)
	pod := deployPod("web-6", withAnno(annotation.KeySubnet, subnetAnno))
	e := newSubnetEnv(t, v4only, append(objs, pod)...)
	done := allocateAsync(t, e, addReq(pod, "eth0"))
	<-e.waitList // the ADD has looked for its pool and found none

	small := deployPool(sn4, "eth0", 2)
	if err := e.client.Create(t.Context(), small); err != nil {
		t.Fatal(err)
	}
	e.svc.PoolsChanged()
	select {
	case err := <-done:
		t.Fatalf("ADD ended with a pool of 2 IPs for a desired 3: %v", err)
	case <-time.After(50 * time.Millisecond): // not a timing assertion: a wrong early return shows here
	}
	grown := small.DeepCopy()
	if err := e.client.Get(t.Context(), client.ObjectKeyFromObject(small), grown); err != nil {
		t.Fatal(err)
	}
	grown.Spec.IPs = deployPool(sn4, "eth0", 3).Spec.IPs
	if err := e.client.Update(t.Context(), grown); err != nil {
		t.Fatal(err)
	}
	e.svc.PoolsChanged()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if recs := records(t, e.client, small.Name); len(recs) != 1 {
		t.Errorf("pool %s records %v, want one address", small.Name, recs)
	}
}

// TestSubnetWaitEndsAtTheDeadline: no pool ever comes; the configured wait
// ends the ADD with an error naming the application and the subnet.
func TestSubnetWaitEndsAtTheDeadline(t *testing.T) {
	pod := deployPod("web-7", withAnno(annotation.KeySubnet, subnetAnno))
	e := newSubnetEnv(t, subnetConfig(), append(subnetObjects(), pod)...)
	done := allocateAsync(t, e, addReq(pod, "eth0"))
	<-e.waitList
	for !e.clock.HasWaiters() {
		time.Sleep(time.Millisecond)
	}
	e.clock.Step(time.Hour)
	err := <-done
	if !errors.Is(err, ipam.ErrAutoPoolNotReady) || !strings.Contains(err.Error(), "Deployment default/web") ||
		!strings.Contains(err.Error(), testSubnet4) {
		t.Fatalf("err = %v, want ErrAutoPoolNotReady naming the app and subnet", err)
	}
}

func TestSubnetThirdPartyPoolIsMadeOnAdd(t *testing.T) {
	fixed := deployPod("crd-1", withOwner("example.com/v1", "Widget", "w"),
		withAnno(annotation.KeySubnet, `{"ipv4":["sub4"]}`), withAnno(annotation.KeyIPPoolIPNumber, "2"))
	e := newSubnetEnv(t, subnetConfig(), append(subnetObjects(), fixed)...)
	res, err := e.svc.Allocate(t.Context(), addReq(fixed, "eth0"))
	if err != nil {
		t.Fatal(err)
	}
	if len(e.ensurer.reqs) != 1 || e.ensurer.reqs[0].App.Kind != "Widget" || e.ensurer.reqs[0].Size() != 2 {
		t.Fatalf("ensurer requests %+v, want one Widget pool of 2", e.ensurer.reqs)
	}
	want := []string{"eth0:auto4-w-eth0-w=10.60.0.10/24"}
	if diff := cmp.Diff(want, addrs(res)); diff != "" {
		t.Errorf("addresses (-want +got):\n%s", diff)
	}
}

func TestSubnetThirdPartyNeedsAFixedSize(t *testing.T) {
	for _, number := range []string{"", "+1"} {
		opts := []podOpt{withOwner("example.com/v1", "Widget", "w"), withAnno(annotation.KeySubnet, `{"ipv4":["sub4"]}`)}
		if number != "" {
			opts = append(opts, withAnno(annotation.KeyIPPoolIPNumber, number))
		}
		pod := deployPod("crd-2", opts...)
		e := newSubnetEnv(t, subnetConfig(), append(subnetObjects(), pod)...)
		_, err := e.svc.Allocate(t.Context(), addReq(pod, "eth0"))
		if !errors.Is(err, ipam.ErrSubnetThirdPartySize) || !strings.Contains(err.Error(), annotation.KeyIPPoolIPNumber) {
			t.Errorf("ip number %q: err = %v, want ErrSubnetThirdPartySize naming the annotation", number, err)
		}
		if len(e.ensurer.reqs) != 0 {
			t.Errorf("ip number %q: a pool was made: %+v", number, e.ensurer.reqs)
		}
	}
}

// TestSubnetStatefulSetKeepsItsAddress: a StatefulSet pod of an auto pool
// re-created under a new UID gets its address back.
func TestSubnetStatefulSetKeepsItsAddress(t *testing.T) {
	v4only := subnetConfig()
	v4only.EnableIPv6 = false
	objs := subnetObjects()
	sn4 := objs[0].(*spiderpoolv2beta1.SpiderSubnet)
	sts := statefulSet(3)
	sts.UID = "uid-" + testStsName // as stsPod's owner reference says
	app, _ := autopool.AppOf(sts)
	pool := autoPoolOf(sn4, autopool.Request{Subnet: sn4.Name, App: app, Interface: "eth0", Version: allocator.IPv4,
		Number: annotation.IPNumber{Flexible: true, N: 1}, Reclaim: true}, 4)
	anno := withAnno(annotation.KeySubnet, `{"ipv4":["sub4"]}`)
	first := stsPod("1", anno)
	e := newSubnetEnv(t, v4only, append(objs, sts, pool, first)...)
	// Another pod takes the first address, so the kept one is not simply the lowest.
	if _, err := e.svc.Allocate(t.Context(), addReq(first, "eth0")); err != nil {
		t.Fatal(err)
	}
	zero := stsPod("0", anno)
	if err := e.client.Create(t.Context(), zero); err != nil {
		t.Fatal(err)
	}
	res, err := e.svc.Allocate(t.Context(), addReq(zero, "eth0"))
	if err != nil {
		t.Fatal(err)
	}
	before := addrs(res)
	if err := e.client.Delete(t.Context(), zero); err != nil {
		t.Fatal(err)
	}
	again := stsPod("0", anno, withUID("uid-db-0-second"))
	if err := e.client.Create(t.Context(), again); err != nil {
		t.Fatal(err)
	}
	res, err = e.svc.Allocate(t.Context(), addReq(again, "eth0"))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(before, addrs(res)); diff != "" {
		t.Errorf("re-created StatefulSet pod's addresses (-before +after):\n%s", diff)
	}
}

// TestSubnetCronJobPodUsesTheCronJobPool: a Job's pod of a CronJob takes
// the CronJob's pool, sized for one pod per Job plus the default +1.
func TestSubnetCronJobPodUsesTheCronJobPool(t *testing.T) {
	v4only := subnetConfig()
	v4only.EnableIPv6 = false
	objs := subnetObjects()
	sn4 := objs[0].(*spiderpoolv2beta1.SpiderSubnet)
	cj := &batchv1.CronJob{ObjectMeta: metav1.ObjectMeta{Namespace: testNS, Name: "nightly", UID: "uid-nightly"}}
	job := &batchv1.Job{ObjectMeta: metav1.ObjectMeta{Namespace: testNS, Name: "nightly-1", UID: "uid-nightly-1",
		OwnerReferences: []metav1.OwnerReference{{APIVersion: "batch/v1", Kind: "CronJob", Name: "nightly",
			UID: "uid-nightly", Controller: ptr.To(true)}}}}
	app, _ := autopool.AppOf(cj)
	pool := autoPoolOf(sn4, autopool.Request{Subnet: sn4.Name, App: app, Interface: "eth0", Version: allocator.IPv4,
		Number: annotation.IPNumber{Flexible: true, N: 1}, Reclaim: true}, 2)
	pod := newPod("nightly-1-x", withOwner("batch/v1", "Job", "nightly-1"), withAnno(annotation.KeySubnet, subnetAnno))
	e := newSubnetEnv(t, v4only, append(objs, cj, job, pool, pod)...)
	res, err := e.svc.Allocate(t.Context(), addReq(pod, "eth0"))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"eth0:" + pool.Name + "=10.60.0.10/24"}, addrs(res)); diff != "" {
		t.Errorf("addresses (-want +got):\n%s", diff)
	}
}

// TestSubnetErrorsNameTheProblem: an interface the annotation does not
// list, and two pools claiming one application, fail the ADD clearly.
func TestSubnetErrorsNameTheProblem(t *testing.T) {
	objs := subnetObjects()
	sn4 := objs[0].(*spiderpoolv2beta1.SpiderSubnet)
	pod := deployPod("web-8", withAnno(annotation.KeySubnet, `{"ipv4":["sub4"]}`))
	twin := deployPool(sn4, "eth0", 3)
	twin.Name += "-twin"
	e := newSubnetEnv(t, subnetConfig(), append(objs, pod, deployPool(sn4, "eth0", 3), twin)...)
	_, err := e.svc.Allocate(t.Context(), addReq(pod, "net1"))
	if err == nil || !strings.Contains(err.Error(), "no item for interface net1") {
		t.Errorf("ADD of net1: err = %v, want one naming the interface", err)
	}
	_, err = e.svc.Allocate(t.Context(), addReq(pod, "eth0"))
	if !errors.Is(err, ipam.ErrNoPool) || !strings.Contains(err.Error(), twin.Name) {
		t.Errorf("ADD with two pools: err = %v, want ErrNoPool naming both", err)
	}
}

// TestSubnetThirdPartyPoolReadyIsNotRemade: a second pod of the same
// third-party controller finds the pool at its size and makes nothing.
func TestSubnetThirdPartyPoolReadyIsNotRemade(t *testing.T) {
	opts := []podOpt{withOwner("example.com/v1", "Widget", "w"), withAnno(annotation.KeySubnet, `{"ipv4":["sub4"]}`),
		withAnno(annotation.KeyIPPoolIPNumber, "2")}
	first, second := deployPod("crd-3", opts...), deployPod("crd-4", opts...)
	e := newSubnetEnv(t, subnetConfig(), append(subnetObjects(), first, second)...)
	for _, pod := range []*corev1.Pod{first, second} {
		if _, err := e.svc.Allocate(t.Context(), addReq(pod, "eth0")); err != nil {
			t.Fatal(err)
		}
	}
	if len(e.ensurer.reqs) != 1 {
		t.Errorf("ensurer called %d times, want once: %+v", len(e.ensurer.reqs), e.ensurer.reqs)
	}
}
