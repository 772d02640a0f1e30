// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package e2e

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/util/wait"
	"sigs.k8s.io/controller-runtime/pkg/client"

	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
	"github.com/spiderpool-go/spiderpool/internal/ctl"
	"github.com/spiderpool-go/spiderpool/test/fixtures"
)

// migrateCheckClean runs "migrate check" until it exits 0 (as
// ctlCheckClean, for an allocation in flight elsewhere in the lab) and logs
// its table.
func migrateCheckClean(t *testing.T, ctx context.Context, bin string) {
	t.Helper()
	var last string
	err := wait.PollUntilContextTimeout(ctx, 2*time.Second, time.Minute, true, func(ctx context.Context) (bool, error) {
		code, out, errOut := ctlRun(t, ctx, bin, "migrate", "check")
		last = out + errOut
		return code == ctl.ExitOK, nil
	})
	if err != nil {
		t.Fatalf("spiderpoolctl migrate check never clean: %v\n%s", err, last)
	}
	t.Logf("$ spiderpoolctl migrate check\n%s", last)
}

func poolAllocatedIPs(t *testing.T, ctx context.Context, name string) string {
	t.Helper()
	p := &spiderpoolv2beta1.SpiderIPPool{}
	if err := shared.c.Get(ctx, client.ObjectKey{Name: name}, p); err != nil {
		t.Fatal(err)
	}
	if p.Status.AllocatedIPs == nil {
		return ""
	}
	return *p.Status.AllocatedIPs
}

// decodeRecords returns each record's raw JSON, by address.
func decodeRecords(t *testing.T, raw string) map[string]string {
	t.Helper()
	m := map[string]json.RawMessage{}
	if err := json.Unmarshal([]byte(raw), &m); err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for k, v := range m {
		out[k] = string(v)
	}
	return out
}

func mapsEqual(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

// deleteAndWait deletes pod fx/name and waits until the node simulator
// has run its DEL and removed it.
func deleteAndWait(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	pod := &corev1.Pod{}
	if err := shared.c.Get(ctx, client.ObjectKey{Namespace: "fx", Name: name}, pod); err != nil {
		t.Fatal(err)
	}
	if err := shared.c.Delete(ctx, pod); err != nil {
		t.Fatal(err)
	}
	err := wait.PollUntilContextTimeout(ctx, 500*time.Millisecond, podWait, true, func(ctx context.Context) (bool, error) {
		err := shared.c.Get(ctx, client.ObjectKey{Namespace: "fx", Name: name}, &corev1.Pod{})
		return apierrors.IsNotFound(err), nil
	})
	if err != nil {
		t.Fatalf("pod fx/%s not gone: %v", name, err)
	}
}

// waitDefaultServiceAccount waits for the namespace's default
// ServiceAccount, without which the API server refuses pods.
func waitDefaultServiceAccount(t *testing.T, ctx context.Context, ns string) {
	t.Helper()
	err := wait.PollUntilContextTimeout(ctx, 200*time.Millisecond, time.Minute, true, func(ctx context.Context) (bool, error) {
		return shared.c.Get(ctx, client.ObjectKey{Namespace: ns, Name: "default"}, &corev1.ServiceAccount{}) == nil, nil
	})
	if err != nil {
		t.Fatalf("ServiceAccount %s/default: %v", ns, err)
	}
}

// removeMigrated deletes every pod (each DEL frees its records), then the
// pools once empty.
func removeMigrated(t *testing.T, st *fixtures.State) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(t.Context()), 3*time.Minute)
	defer cancel()
	_ = shared.c.DeleteAllOf(ctx, &corev1.Pod{}, client.InNamespace("fx"))
	_ = wait.PollUntilContextCancel(ctx, time.Second, true, func(ctx context.Context) (bool, error) {
		var pods corev1.PodList
		err := shared.c.List(ctx, &pods, client.InNamespace("fx"))
		return err == nil && len(pods.Items) == 0, nil
	})
	for _, p := range st.Pools {
		if err := shared.c.Delete(ctx, p.DeepCopy()); err != nil && !apierrors.IsNotFound(err) {
			t.Errorf("delete pool %s: %v", p.GetName(), err)
		}
	}
}

// wantFreeAddresses checks, for the claim storage, which draws free
// addresses at random instead of taking the lowest: no other pod of pod's
// namespace shows an address pod got, and the addresses Spiderpool
// released (pool -> address) are recorded for nobody but pod.
func wantFreeAddresses(t *testing.T, ctx context.Context, pod *corev1.Pod, released map[string]string) {
	t.Helper()
	mine := map[string]bool{}
	for _, ip := range pod.Status.PodIPs {
		mine[ip.IP] = true
	}
	list := &corev1.PodList{}
	if err := shared.c.List(ctx, list, client.InNamespace(pod.Namespace)); err != nil {
		t.Fatal(err)
	}
	for _, p := range list.Items {
		for _, ip := range p.Status.PodIPs {
			if p.UID != pod.UID && p.DeletionTimestamp == nil && mine[ip.IP] {
				t.Errorf("pods %s and %s share %s", p.Name, pod.Name, ip.IP)
			}
		}
	}
	for pool, ip := range released {
		if rec, ok := decodeRecords(t, poolAllocatedIPs(t, ctx, pool))[ip]; ok && !strings.Contains(rec, `"`+pod.Namespace+"/"+pod.Name+`"`) {
			t.Errorf("pool %s records %s, which Spiderpool released, for %s", pool, ip, rec)
		}
	}
}
