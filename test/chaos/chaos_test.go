// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package chaos_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/go-logr/logr"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/spiderpool-go/spiderpool/internal/config"
	"github.com/spiderpool-go/spiderpool/test/chaos"
	"github.com/spiderpool-go/spiderpool/test/lab"
	"github.com/spiderpool-go/spiderpool/test/utils"
)

// defaultSettle bounds the settle after a run. It is past the 5 minutes
// after which kube-controller-manager's ReplicaSet and StatefulSet
// controllers stop waiting for pod creations they issued but never saw
// (their expectations): a create cut off by an API server kill can leave a
// Deployment short of pods until then. A run that settles sooner ends
// sooner.
const defaultSettle = 6 * time.Minute

// TestChaosShort is the regression run of make test: 2 minutes, 3 nodes,
// every fault kind once, seed CHAOS_SEED or the time.
func TestChaosShort(t *testing.T) {
	runs(t, chaos.Config{Duration: 2 * time.Minute, Nodes: 3, Pods: 60, EveryKindOnce: true, Settle: defaultSettle,
		ClaimStorage: claimStorage()}, 1)
}

// TestChaos is make chaos: CHAOS_RUNS runs of CHAOS_DURATION on
// CHAOS_NODES nodes with CHAOS_PODS pods, seeds CHAOS_SEED, +1, ...
func TestChaos(t *testing.T) {
	n, err1 := chaos.EnvInt("CHAOS_RUNS", 20)
	nodes, err2 := chaos.EnvInt("CHAOS_NODES", 10)
	pods, err3 := chaos.EnvInt("CHAOS_PODS", 1000)
	d, err4 := chaos.EnvDuration("CHAOS_DURATION", 10*time.Minute)
	settle, err5 := chaos.EnvDuration("CHAOS_SETTLE", defaultSettle)
	if err := errors.Join(err1, err2, err3, err4, err5); err != nil {
		t.Fatal(err)
	}
	runs(t, chaos.Config{Duration: d, Nodes: nodes, Pods: pods, Settle: settle, ClaimStorage: claimStorage()}, n)
}

func runs(t *testing.T, cfg chaos.Config, n int) {
	if os.Getenv("SPIDERPOOL_CHAOS") != "1" {
		t.Skip("chaos runs need the lab (root): SPIDERPOOL_CHAOS=1, as make chaos and hack/test.sh set it")
	}
	ctrl.SetLogger(logr.Discard())
	seed, err := chaos.EnvInt("CHAOS_SEED", int(time.Now().UnixNano()%1_000_000))
	if err != nil {
		t.Fatal(err)
	}
	root, err := utils.ModuleRoot()
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(root, "_output", "chaos", time.Now().UTC().Format("20060102-150405"))
	bin := buildBinaries(t, root)
	for i := range n {
		cfg.Seed = int64(seed + i)
		t.Run(fmt.Sprintf("seed-%d", cfg.Seed), func(t *testing.T) { oneRun(t, root, bin, out, cfg) })
	}
}

// keepLogs copies the lab's process logs to the results, as
// out/logs-<seed>.
func keepLogs(t *testing.T, logsDir, out string, seed int64) {
	t.Helper()
	logs := filepath.Join(out, fmt.Sprintf("logs-%d", seed))
	if err := os.MkdirAll(out, 0o755); err != nil {
		t.Logf("keep the lab logs: %v", err)
		return
	}
	if b, err := exec.Command("cp", "-a", logsDir, logs).CombinedOutput(); err != nil {
		t.Logf("keep the lab logs: %v: %s", err, b)
	}
}

func oneRun(t *testing.T, root, bin, out string, cfg chaos.Config) {
	ctx, cancel := context.WithTimeout(t.Context(), cfg.Duration+3*cfg.Settle+10*time.Minute)
	defer cancel()
	dir := filepath.Join(t.TempDir(), "lab")
	proxy, err := chaos.NewProxy(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = proxy.Close() }()
	l, err := lab.Up(ctx, labOptions(t, root, bin, dir, cfg.Nodes, proxy.URL()))
	if err != nil {
		keepLogs(t, lab.FailedLogsDir(dir), out, cfg.Seed) // a lab that did not come up says why in them
		t.Fatalf("lab up: %v", err)
	}
	defer func() {
		keepLogs(t, filepath.Join(l.Dir, "logs"), out, cfg.Seed)
		if err := l.Down(context.WithoutCancel(ctx)); err != nil {
			t.Errorf("lab down: %v", err)
		}
	}()
	restCfg, err := l.RESTConfig()
	if err != nil {
		t.Fatal(err)
	}
	c, err := newClient(l)
	if err != nil {
		t.Fatal(err)
	}
	cfg.CtlBinary, cfg.Namespace = filepath.Join(bin, "spiderpoolctl"), "chaos"
	res, err := chaos.Run(ctx, l, proxy, restCfg, c, cfg)
	if err != nil {
		t.Fatalf("chaos run seed %d: %v (replay: CHAOS_SEED=%d)", cfg.Seed, err, cfg.Seed)
	}
	if err := res.Write(out); err != nil {
		t.Error(err)
	}
	t.Log(res.Summary())
	if !res.Pass {
		t.Errorf("chaos run seed %d FAILED (replay: CHAOS_SEED=%d CHAOS_RUNS=1 ...): findings %q, problems %q, spiderpoolctl check exit %d: %s",
			cfg.Seed, cfg.Seed, res.Findings, res.Problems, res.CheckExit, res.CheckOutput)
	}
}

func labOptions(t *testing.T, root, bin, dir string, nodes int, server string) lab.Options {
	helm, err := utils.HelmBinary()
	if err != nil {
		t.Fatal(err)
	}
	k8s, cni := os.Getenv("KUBEBUILDER_ASSETS"), os.Getenv("CNI_PLUGINS_DIR")
	if k8s == "" || cni == "" {
		t.Fatal("KUBEBUILDER_ASSETS and CNI_PLUGINS_DIR must be set: export them from hack/testbin.sh and hack/testbin.sh --cni-dir")
	}
	controllerEnv := []string{"SPIDERPOOL_GC_DEFAULT_INTERVAL_DURATION=60"}
	var agentEnv []string
	if claimStorage() { // on agents and controllers together
		on := config.EnvClaimStorage + "=true"
		controllerEnv, agentEnv = append(controllerEnv, on), []string{on}
		t.Logf("with %s", on)
	}
	return lab.Options{
		Name: chaos.Env("CHAOS_LAB_NAME", "chaos"), Dir: dir, Nodes: nodes, Controllers: 2,
		K8sBinDir: k8s, CNIBinDirs: []string{cni},
		LabBinary: filepath.Join(bin, "spiderlab"), AgentBinary: filepath.Join(bin, "spiderpool-agent"),
		ControllerBinary: filepath.Join(bin, "spiderpool-controller"),
		CRDDirs:          []string{filepath.Join(root, "config/crd/bases"), filepath.Join(root, "config/crd/nad")},
		Chart:            filepath.Join(root, "charts/spiderpool"), HelmBinary: helm, HostBinDir: bin,
		// The full scan every minute bounds what the GC's event path misses.
		ControllerEnv: controllerEnv, AgentEnv: agentEnv,
		ProcessServer: server, Progress: os.Stderr,
	}
}

// claimStorage says whether CHAOS_CLAIM_STORAGE=1 asks for the claim
// storage.
func claimStorage() bool { return os.Getenv("CHAOS_CLAIM_STORAGE") == "1" }

func buildBinaries(t *testing.T, root string) string {
	bin := filepath.Join(t.TempDir(), "bin")
	cmds := []string{"spiderlab", "spiderpool-agent", "spiderpool", "coordinator", "ifacer", "spiderpool-controller", "spiderpool-init", "spiderpoolctl"}
	args := []string{"build", "-o", bin + "/"}
	for _, c := range cmds {
		args = append(args, "./cmd/"+c)
	}
	build := exec.Command("go", args...)
	build.Dir, build.Env = root, utils.BuildEnv()
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build %s: %v: %s", strings.Join(cmds, " "), err, out)
	}
	return bin
}

func newClient(l *lab.Lab) (client.Client, error) { return l.Client() }
