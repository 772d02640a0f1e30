// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/util/retry"
	"sigs.k8s.io/controller-runtime/pkg/client"

	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
	"github.com/spiderpool-go/spiderpool/internal/ctl"
	"github.com/spiderpool-go/spiderpool/test/utils"
)

// ctlBinary builds spiderpoolctl into a temporary directory of the test.
func ctlBinary(t *testing.T, ctx context.Context) string {
	t.Helper()
	root, err := utils.ModuleRoot()
	if err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(t.TempDir(), "spiderpoolctl")
	build := exec.CommandContext(ctx, "go", "build", "-o", bin, "./cmd/spiderpoolctl")
	build.Dir, build.Env = root, utils.BuildEnv()
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build spiderpoolctl: %v\n%s", err, out)
	}
	return bin
}

// ctlRun runs the spiderpoolctl binary against the lab and returns its
// exit code and output.
func ctlRun(t *testing.T, ctx context.Context, bin string, args ...string) (int, string, string) {
	t.Helper()
	cmd := exec.CommandContext(ctx, bin, append([]string{"--kubeconfig", shared.lab.Kubeconfig}, args...)...)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit):
		return exit.ExitCode(), out.String(), errOut.String()
	case err != nil:
		t.Fatalf("run spiderpoolctl %s: %v", strings.Join(args, " "), err)
	}
	return 0, out.String(), errOut.String()
}

// ctlLog runs spiderpoolctl with its table output and logs it, for the
// reader of the test log (docs/spiderpoolctl.md shows such output).
func ctlLog(t *testing.T, ctx context.Context, bin string, args ...string) {
	t.Helper()
	code, out, errOut := ctlRun(t, ctx, bin, args...)
	t.Logf("$ spiderpoolctl %s   # exit %d\n%s%s", strings.Join(args, " "), code, out, errOut)
}

// ctlJSON runs spiderpoolctl with -o json, wants exit code want and
// decodes its output into v.
func ctlJSON(t *testing.T, ctx context.Context, bin string, want int, v any, args ...string) {
	t.Helper()
	code, out, errOut := ctlRun(t, ctx, bin, append(args, "-o", "json")...)
	if code != want {
		t.Fatalf("spiderpoolctl %s: exit %d, want %d\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), code, want, out, errOut)
	}
	if err := json.Unmarshal([]byte(out), v); err != nil {
		t.Fatalf("spiderpoolctl %s: decode %q: %v", strings.Join(args, " "), out, err)
	}
}

// ctlCheckClean runs "check" until it exits 0 (an allocation in flight
// elsewhere in the lab shows for a moment as a record without endpoint).
func ctlCheckClean(t *testing.T, ctx context.Context, bin string) {
	t.Helper()
	var last string
	err := wait.PollUntilContextTimeout(ctx, 2*time.Second, time.Minute, true, func(ctx context.Context) (bool, error) {
		code, out, errOut := ctlRun(t, ctx, bin, "check")
		last = out + errOut
		return code == ctl.ExitOK, nil
	})
	if err != nil {
		t.Fatalf("spiderpoolctl check never clean: %v\n%s", err, last)
	}
}

// addRecord adds a record to the pool's status, as an agent would, with
// optimistic concurrency.
func addRecord(t *testing.T, ctx context.Context, pool, ip string, rec spiderpoolv2beta1.PoolIPAllocation) {
	t.Helper()
	err := retry.RetryOnConflict(retry.DefaultRetry, func() error {
		p := &spiderpoolv2beta1.SpiderIPPool{}
		if err := shared.c.Get(ctx, client.ObjectKey{Name: pool}, p); err != nil {
			return err
		}
		recs, err := spiderpoolv2beta1.ParseAllocatedIPs(p.Status.AllocatedIPs)
		if err != nil {
			return err
		}
		recs[ip] = rec
		n := int64(len(recs))
		p.Status.AllocatedIPs, p.Status.AllocatedIPCount = spiderpoolv2beta1.FormatAllocatedIPs(recs), &n
		return shared.c.Status().Update(ctx, p)
	})
	if err != nil {
		t.Fatalf("add record %s to pool %s: %v", ip, pool, err)
	}
}

// findingsOf lists "kind ip" of the findings about pool.
func findingsOf(rep ctl.CheckReport, pool string) []string {
	var out []string
	for _, f := range rep.Findings {
		if f.Pool == pool {
			out = append(out, string(f.Kind)+" "+f.IP)
		}
	}
	return out
}

// pauseController stops the lab's spiderpool-controller; the function it
// returns starts it again and waits until it is ready. While the
// controller runs, its IP GC frees a planted leak within milliseconds,
// before spiderpoolctl can be shown it.
func pauseController(t *testing.T, ctx context.Context) (resume func()) {
	t.Helper()
	if err := shared.lab.StopController(0); err != nil {
		t.Fatalf("stop controller: %v", err)
	}
	return func() {
		if err := shared.lab.StartController(0); err != nil {
			t.Fatalf("start controller: %v", err)
		}
		if err := shared.lab.WaitControllerReady(ctx, 0); err != nil {
			t.Fatal(err)
		}
	}
}
