// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package migrate

import (
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"

	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
	"github.com/spiderpool-go/spiderpool/internal/ipam"
	"github.com/spiderpool-go/spiderpool/test/fixtures"
)

// deleteAdopted deletes adopted pods as the kubelet sees it: the pod is
// marked for deletion (grace 30 s), the runtime tears down each NIC (CNI
// DEL of the sandbox our agent set up), then the pod is removed and, as
// Kubernetes' garbage collector would, its owner-referenced endpoint. The
// stateless pods' records go, exactly those; the StatefulSet pod db-1,
// whose ordinal is within replicas, keeps them for its successor, which
// gets the same addresses on another node.
func (cl *cluster) deleteAdopted(t *testing.T, pods []recorded) {
	byName := map[string]recorded{}
	for _, p := range pods {
		byName[p.name] = p
	}
	for _, name := range []string{"web-0", "solo-2", "mnic-1", "mnic-2", "db-1"} {
		p := byName[name]
		before := cl.pools()
		cl.deletePod(t, p)
		after := cl.pools()
		gone := p.addresses()
		if name == "db-1" {
			gone = nil // kept for the next db-1
		}
		sameRecords(t, "DEL of "+name, before, after, gone)
		for pool, ips := range gone {
			for ip := range ips {
				if raw, held := after[pool].records[ip]; held {
					t.Errorf("DEL of %s: %s/%s still recorded: %s", name, pool, ip, raw)
				}
			}
		}
		for pool, b := range before {
			if want := len(b.records) - len(gone[pool]); len(after[pool].records) != want {
				t.Errorf("DEL of %s: pool %s holds %d records, want %d", name, pool, len(after[pool].records), want)
			}
		}
	}
	cl.statefulSetSuccessor(t, byName["db-1"])
}

// deletePod marks the pod deleted, runs the DEL of each NIC on its node's
// agent, then removes the pod and, for a pod-owned endpoint, the endpoint.
func (cl *cluster) deletePod(t *testing.T, p recorded) {
	ctx := t.Context()
	pod := cl.pod(p.name)
	if err := cl.c.Delete(ctx, pod, client.GracePeriodSeconds(30)); err != nil {
		t.Fatal(err)
	}
	for _, nic := range p.nics {
		if err := cl.agent(p.node).Release(ctx, ipam.ReleaseRequest{ContainerID: "new-" + p.container, IfName: nic.NIC,
			PodNamespace: "fx", PodName: p.name, PodUID: string(pod.UID)}); err != nil {
			t.Errorf("DEL %s %s: %v", p.name, nic.NIC, err)
		}
	}
	if err := cl.c.Delete(ctx, pod, client.GracePeriodSeconds(0)); err != nil && !apierrors.IsNotFound(err) {
		t.Fatal(err)
	}
	ep := &spiderpoolv2beta1.SpiderEndpoint{}
	err := cl.c.Get(ctx, client.ObjectKey{Namespace: "fx", Name: p.name}, ep)
	switch {
	case apierrors.IsNotFound(err):
	case err != nil:
		t.Fatal(err)
	case len(ep.OwnerReferences) == 0:
		if len(ep.Finalizers) == 0 {
			t.Errorf("endpoint %s lost its finalizer, but its StatefulSet wants the ordinal", p.name)
		}
	case len(ep.Finalizers) > 0:
		t.Errorf("endpoint %s keeps finalizers %v after the DEL of its pod", p.name, ep.Finalizers)
	default: // the garbage collector's part: its owner pod is gone
		if err := cl.c.Delete(ctx, ep); err != nil {
			t.Fatal(err)
		}
	}
}

// statefulSetSuccessor re-creates db-1 (new UID) on another node: its ADD
// gets the addresses of the old db-1.
func (cl *cluster) statefulSetSuccessor(t *testing.T, old recorded) {
	ctx := t.Context()
	var pod corev1.Pod
	u := fixtures.Find(cl.state.Pods, "fx", old.name)
	if err := runtime.DefaultUnstructuredConverter.FromUnstructured(u.Object, &pod); err != nil {
		t.Fatal(err)
	}
	pod.ResourceVersion, pod.UID, pod.CreationTimestamp, pod.Status = "", "", metav1.Time{}, corev1.PodStatus{}
	pod.Spec.NodeName = "fx-node-0"
	for i := range pod.OwnerReferences {
		pod.OwnerReferences[i].UID = types.UID(cl.uids.Rewrite(string(pod.OwnerReferences[i].UID)))
	}
	if err := cl.c.Create(ctx, &pod); err != nil {
		t.Fatal(err)
	}
	res, err := cl.agent("fx-node-0").Allocate(ctx, ipam.AllocateRequest{ContainerID: "successor", IfName: "eth0",
		PodNamespace: "fx", PodName: old.name, PodUID: string(pod.UID)})
	if err != nil {
		t.Fatalf("ADD of the next %s: %v", old.name, err)
	}
	got, _ := res.NIC("eth0")
	compareNIC(t, old.name, old.nics[0], old.results["eth0"], got)
	recs := cl.pools()
	for pool, ips := range old.addresses() {
		for ip := range ips {
			if raw := string(recs[pool].records[ip]); !strings.Contains(raw, string(pod.UID)) {
				t.Errorf("%s/%s recorded as %s, want the new pod UID %s", pool, ip, raw, pod.UID)
			}
		}
	}
}
