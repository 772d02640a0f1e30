// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package e2e

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	ipamclaimsv1alpha1 "github.com/spiderpool-go/spiderpool/api/ipamclaims/v1alpha1"
	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
	"github.com/spiderpool-go/spiderpool/internal/config"
)

// claimWait bounds how long the projection and the GC may take here.
const claimWait = 2 * time.Minute

// TestClaimStorage runs a lab of its own with SPIDERPOOL_CLAIM_STORAGE on
// the agents and the controller: pods on both nodes get distinct addresses
// through real CNI calls, each held by a SpiderIPClaim of its UID; the
// controller projects the claims into the pools' records; a pod's DEL
// deletes its claims, and the GC deletes those of a pod force-deleted
// without DEL; the records follow.
func TestClaimStorage(t *testing.T) {
	t.Parallel()
	ctx := testContext(t, 10*time.Minute)
	on := config.EnvClaimStorage + "=true"
	opts := shared.opts
	opts.Name, opts.Nodes, opts.Dir = opts.Name+"cl", 2, filepath.Join(t.TempDir(), "lab")
	opts.Controllers, opts.Progress = 1, nil
	opts.ControllerEnv = append(slices.Clone(opts.ControllerEnv), on)
	opts.AgentEnv = append(slices.Clone(opts.AgentEnv), on)
	l, c := upOwnLab(t, ctx, opts)
	asDefault := func(p *spiderpoolv2beta1.SpiderIPPool) { p.Spec.Default = ptr.To(true) }
	for _, p := range []*spiderpoolv2beta1.SpiderIPPool{
		ipPool(gcPoolV4, 4, []string{"10.250.95.10-10.250.95.200"}, asDefault),
		ipPool(gcPoolV6, 6, []string{"fd00:250::95:10-fd00:250::95:200"}, asDefault),
	} {
		if err := c.Create(ctx, p); err != nil {
			t.Fatalf("create pool %s: %v", p.Name, err)
		}
	}
	const ns = "claims"
	createNamespace(t, ctx, c, ns)
	pods := append(runBarePods(t, ctx, c, ns, l.Nodes[0].Name, "a", "b"), runBarePods(t, ctx, c, ns, l.Nodes[1].Name, "c", "d")...)
	assertDistinctIPs(t, derefPods(pods))
	want := map[string]string{} // address -> holder UID
	for _, p := range pods {
		for _, ip := range p.Status.PodIPs {
			want[ip.IP] = string(p.UID)
		}
	}
	waitClaimsAndRecords(t, ctx, c, want)

	if err := c.Delete(ctx, pods[0]); err != nil { // its DEL runs
		t.Fatal(err)
	}
	forceDelete(t, ctx, c, pods[2]) // no DEL: the GC's
	for _, p := range []*corev1.Pod{pods[0], pods[2]} {
		for _, ip := range p.Status.PodIPs {
			delete(want, ip.IP)
		}
	}
	waitClaimsAndRecords(t, ctx, c, want)
}

func derefPods(pods []*corev1.Pod) []corev1.Pod {
	out := make([]corev1.Pod, len(pods))
	for i, p := range pods {
		out[i] = *p
	}
	return out
}

// waitClaimsAndRecords waits until the claims and the pools' records both
// give exactly the addresses of want to their holder UIDs.
func waitClaimsAndRecords(t *testing.T, ctx context.Context, c client.Client, want map[string]string) {
	t.Helper()
	var last string
	err := wait.PollUntilContextTimeout(ctx, time.Second, claimWait, true, func(ctx context.Context) (bool, error) {
		claims, err := claimHolders(ctx, c)
		if err != nil {
			last = err.Error()
			return false, nil
		}
		recs, err := poolsRecords(ctx, c, gcPoolV4, gcPoolV6)
		if err != nil {
			last = err.Error()
			return false, nil
		}
		records := map[string]string{}
		for ip, r := range recs {
			records[ip] = r.PodUID
		}
		last = fmt.Sprintf("claims %v, records %v, want %v", claims, records, want)
		return equalHolders(claims, want) && equalHolders(records, want), nil
	})
	if err != nil {
		t.Fatalf("claims and records never matched the pods: %s: %v", last, err)
	}
}

func claimHolders(ctx context.Context, c client.Client) (map[string]string, error) {
	var list ipamclaimsv1alpha1.SpiderIPClaimList
	if err := c.List(ctx, &list); err != nil {
		return nil, err
	}
	out := map[string]string{}
	for _, cl := range list.Items {
		out[cl.Spec.IP] = cl.Spec.PodUID
	}
	return out, nil
}

func equalHolders(got, want map[string]string) bool {
	if len(got) != len(want) {
		return false
	}
	for ip, uid := range want {
		if got[ip] != uid {
			return false
		}
	}
	return true
}
