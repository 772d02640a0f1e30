// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package e2e

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
	"github.com/spiderpool-go/spiderpool/test/lab"
)

// TestTeardownLeavesNothing brings up a second, one-node lab, runs a pod on
// it, tears it down and checks no process, namespace or file is left.
func TestTeardownLeavesNothing(t *testing.T) {
	ctx := testContext(t, 5*time.Minute)
	opts := shared.opts
	opts.Name, opts.Nodes, opts.Dir = opts.Name+"t", 1, filepath.Join(t.TempDir(), "lab")
	l, err := lab.Up(ctx, opts)
	if err != nil {
		t.Fatalf("second lab up: %v", err)
	}
	downed := false
	t.Cleanup(func() {
		if !downed { // a failure before the teardown under test must not leave the lab running
			_ = l.Down(context.WithoutCancel(ctx))
		}
	})
	c, err := newClient(l)
	if err != nil {
		t.Fatal(err)
	}
	pool := &spiderpoolv2beta1.SpiderIPPool{
		ObjectMeta: metav1.ObjectMeta{Name: "td-v4"},
		Spec: spiderpoolv2beta1.IPPoolSpec{
			IPVersion: ptr.To[int64](4), Subnet: "10.250.0.0/16", IPs: []string{"10.250.9.10-10.250.9.20"},
			Default: ptr.To(true),
		},
	}
	if err := c.Create(ctx, pool); err != nil {
		t.Fatalf("create pool: %v", err)
	}
	createNamespace(t, ctx, c, "td")
	if err := c.Create(ctx, deployment("td", "one", 1)); err != nil {
		t.Fatalf("create deployment: %v", err)
	}
	waitRunningPods(t, ctx, c, "td", "one", 1)
	if n := len(l.NetNSes()); n < 3 {
		t.Fatalf("lab has %d namespaces before teardown; want fabric, node and pod", n)
	}
	pids := l.PIDs()
	downed = true
	if err := l.Down(ctx); err != nil {
		t.Fatalf("down: %v", err)
	}
	if len(pids) < 6 {
		t.Fatalf("lab recorded %d processes %v; want etcd, apiserver, kcm, scheduler, a node and its agent", len(pids), pids)
	}
	for name, pid := range pids {
		if processExists(pid, 5*time.Second) {
			t.Errorf("process %s (pid %d) still exists after down", name, pid)
		}
	}
	if out, err := exec.Command("ip", "-o", "link", "show").Output(); err != nil || strings.Contains(string(out), "n1e0") {
		t.Errorf("root namespace links after down (err %v):\n%s", err, out)
	}
	if left := l.NetNSes(); len(left) > 0 {
		t.Errorf("network namespaces left after down: %v", left)
	}
	if _, err := os.Stat(l.Dir); !os.IsNotExist(err) {
		t.Errorf("lab dir %s still exists after down (stat err %v)", l.Dir, err)
	}
}

// processExists reports whether pid still exists after waiting up to d for
// it to be reaped.
func processExists(pid int, d time.Duration) bool {
	deadline := time.Now().Add(d)
	for {
		if _, err := os.Stat("/proc/" + strconv.Itoa(pid)); os.IsNotExist(err) {
			return false
		}
		if time.Now().After(deadline) {
			return true
		}
		time.Sleep(100 * time.Millisecond)
	}
}
