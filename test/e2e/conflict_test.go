// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package e2e

import (
	"context"
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
	"github.com/spiderpool-go/spiderpool/internal/quarantine"
	"github.com/spiderpool-go/spiderpool/test/lab"
)

const (
	cfPool, cfPoolV6 = "cf-v4", "cf-v6"
	cfRange          = "10.250.85.10-10.250.85.13"
	cfSquatted       = "10.250.85.10"
	cfSquatterMAC    = "02:85:00:00:00:10"
)

// TestIPConflictQuarantine: with enableIPConflictDetection on, a host
// outside Kubernetes (a namespace on the lab's LAN) holds the lowest
// address of a four-address pool. A Deployment of 3 runs on the other
// three; scaled to 4, the fourth pod does not get it either. The address
// is quarantined in the pool with the squatter's MAC and a Warning event:
// by the first ADD that tried it, which with the pool storage (lowest free
// first) is one of the first three, and with the claim storage (random
// draws) may be the fourth pod's, the only address left.
func TestIPConflictQuarantine(t *testing.T) {
	ctx := testContext(t, 8*time.Minute)
	c, l := upConflictLab(t, ctx)
	squat(t, l, cfSquatted+"/16", cfSquatterMAC)

	const ns, app = "conflict", "web"
	createNamespace(t, ctx, c, ns)
	d := deployment(ns, app, 3)
	withPodAnnotations(d, ippoolAnnotation([]string{cfPool}, nil))
	if err := c.Create(ctx, d); err != nil {
		t.Fatal(err)
	}
	pods := waitRunningPods(t, ctx, c, ns, app, 3)
	for _, p := range pods {
		if p.Status.PodIP == cfSquatted {
			t.Errorf("pod %s runs with the squatted address %s", p.Name, cfSquatted)
		}
	}
	patch := client.RawPatch(types.MergePatchType, []byte(`{"spec":{"replicas":4}}`))
	if err := c.Patch(ctx, d, patch); err != nil {
		t.Fatal(err)
	}
	rec := waitQuarantined(t, ctx, c, cfSquatted)
	if rec.MAC != cfSquatterMAC || rec.Reason != quarantine.ReasonConflict || !strings.HasPrefix(rec.Pod, ns+"/") {
		t.Errorf("quarantine record %+v, want the squatter's MAC %s and a pod of %s", rec, cfSquatterMAC, ns)
	}
	wantConflictEvent(t, ctx, c, ns)
	// The fourth pod has no address to get: its ADD fails (pool full) for
	// as long as we look, and nobody is given the quarantined one.
	_ = wait.PollUntilContextTimeout(ctx, time.Second, 20*time.Second, true, func(ctx context.Context) (bool, error) {
		list := &corev1.PodList{}
		if err := c.List(ctx, list, client.InNamespace(ns)); err != nil {
			return false, nil //nolint:nilerr // transient: keep polling
		}
		for _, p := range list.Items {
			if p.Status.PodIP == cfSquatted {
				t.Fatalf("pod %s got the quarantined address %s", p.Name, cfSquatted)
			}
		}
		return false, nil
	})
}

// upConflictLab brings up a one-node lab whose agent runs with
// enableIPConflictDetection, with pools cf-v4 (four addresses) and a
// default cf-v6.
func upConflictLab(t *testing.T, ctx context.Context) (client.Client, *lab.Lab) {
	t.Helper()
	opts := shared.opts
	opts.Name, opts.Nodes, opts.Dir = opts.Name+"cf", 1, filepath.Join(t.TempDir(), "lab")
	opts.Progress, opts.IPConflictDetection = nil, true
	l, c := upOwnLab(t, ctx, opts)
	asDefault := func(p *spiderpoolv2beta1.SpiderIPPool) { p.Spec.Default = ptr.To(true) }
	for _, p := range []*spiderpoolv2beta1.SpiderIPPool{
		ipPool(cfPool, 4, []string{cfRange}),
		ipPool(cfPoolV6, 6, []string{"fd00:250::85:10-fd00:250::85:40"}, asDefault),
	} {
		if err := c.Create(ctx, p); err != nil {
			t.Fatalf("create pool %s: %v", p.Name, err)
		}
	}
	return c, l
}

// squat puts a namespace with cidr and mac on the lab's LAN (bridge br0
// of the fabric), as a host Kubernetes does not know. Its name carries the
// lab's prefix, so the lab's Down removes it too.
func squat(t *testing.T, l *lab.Lab, cidr, mac string) {
	t.Helper()
	sq, fab := strings.TrimSuffix(l.FabricNetNS(), "fab")+"sq", l.FabricNetNS()
	cmds := [][]string{
		{"netns", "add", sq},
		{"-n", fab, "link", "add", "sq0", "type", "veth", "peer", "name", "eth0", "netns", sq},
		{"-n", fab, "link", "set", "sq0", "master", "br0", "up"},
		{"-n", sq, "link", "set", "eth0", "address", mac, "up"},
		{"-n", sq, "addr", "add", cidr, "dev", "eth0"},
	}
	t.Cleanup(func() { _ = exec.Command("ip", "netns", "del", sq).Run() })
	for _, args := range cmds {
		if out, err := exec.Command("ip", args...).CombinedOutput(); err != nil {
			t.Fatalf("ip %s: %v: %s", strings.Join(args, " "), err, out)
		}
	}
}

// waitQuarantined waits until a pool's annotation quarantines ip.
func waitQuarantined(t *testing.T, ctx context.Context, c client.Client, ip string) quarantine.Entry {
	t.Helper()
	var found quarantine.Entry
	err := wait.PollUntilContextTimeout(ctx, time.Second, time.Minute, true, func(ctx context.Context) (bool, error) {
		entries, err := quarantine.Store{Client: c}.List(ctx)
		if err != nil {
			return false, nil //nolint:nilerr // transient: keep polling
		}
		for _, e := range entries {
			if e.IP.String() == ip {
				found = e
				return true, nil
			}
		}
		return false, nil
	})
	if err != nil {
		t.Fatalf("%s not quarantined: %v", ip, err)
	}
	return found
}

func wantConflictEvent(t *testing.T, ctx context.Context, c client.Client, ns string) {
	t.Helper()
	list := &corev1.EventList{}
	if err := c.List(ctx, list, client.InNamespace(ns)); err != nil {
		t.Fatal(err)
	}
	var seen []string
	for _, e := range list.Items {
		if e.Reason == "IPConflict" && e.Type == corev1.EventTypeWarning &&
			strings.Contains(e.Message, cfSquatted) && strings.Contains(e.Message, cfSquatterMAC) {
			return
		}
		seen = append(seen, fmt.Sprintf("%s %s: %s", e.Type, e.Reason, e.Message))
	}
	t.Errorf("no Warning IPConflict event naming %s and %s in %s; events:\n%s", cfSquatted, cfSquatterMAC, ns, strings.Join(seen, "\n"))
}
