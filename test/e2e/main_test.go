// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package e2e

import (
	"context"
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
	"github.com/spiderpool-go/spiderpool/test/lab"
	"github.com/spiderpool-go/spiderpool/test/utils"
)

// env is the lab every test of this package shares.
type env struct {
	lab  *lab.Lab
	c    client.Client
	opts lab.Options
}

var shared env //nolint:gochecknoglobals // one lab per test binary, set up in TestMain

func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	if os.Geteuid() != 0 {
		fmt.Fprintln(os.Stderr, "e2e: the lab creates network namespaces and veths: run the tests as root (sudo make test)")
		return 1
	}
	ctrl.SetLogger(logr.Discard())
	opts, cleanup, err := labOptions()
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		return 1
	}
	defer cleanup()
	ctx := context.Background()
	start := time.Now()
	l, err := lab.Up(ctx, opts)
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		return 1
	}
	fmt.Fprintf(os.Stderr, "e2e: lab up in %.1fs\n", time.Since(start).Seconds())
	defer func() {
		if err := l.Down(ctx); err != nil {
			fmt.Fprintln(os.Stderr, "e2e:", err)
		}
	}()
	c, err := newClient(l)
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		return 1
	}
	shared = env{lab: l, c: c, opts: opts}
	if err := applyManifest(ctx, "manifests/pools.yaml"); err != nil {
		fmt.Fprintln(os.Stderr, "e2e: default pools:", err)
		return 1
	}
	return m.Run()
}

// labOptions builds spiderlab and finds the pinned binaries.
func labOptions() (lab.Options, func(), error) {
	root, err := utils.ModuleRoot()
	if err != nil {
		return lab.Options{}, nil, err
	}
	tmp, err := os.MkdirTemp("", "spiderpool-e2e-")
	if err != nil {
		return lab.Options{}, nil, fmt.Errorf("temp dir: %w", err)
	}
	cleanup := func() { os.RemoveAll(tmp) }
	binDir := filepath.Join(tmp, "bin")
	build := exec.Command("go", "build", "-o", binDir+"/", "./cmd/spiderlab", "./cmd/spiderpool-agent", "./cmd/spiderpool", "./cmd/coordinator", "./cmd/ifacer",
		"./cmd/spiderpool-controller", "./cmd/spiderpool-init")
	build.Dir, build.Env, build.Stderr = root, utils.BuildEnv(), os.Stderr
	if err := build.Run(); err != nil {
		cleanup()
		return lab.Options{}, nil, fmt.Errorf("build spiderlab, spiderpool-agent, -controller, -init and the plugins: %w", err)
	}
	helm, err := utils.HelmBinary()
	if err != nil {
		cleanup()
		return lab.Options{}, nil, err
	}
	k8s, cni, err := testbinDirs(root)
	if err != nil {
		cleanup()
		return lab.Options{}, nil, err
	}
	env := claimStorageEnv()
	return lab.Options{
		Name: labName(), Dir: filepath.Join(tmp, "lab"), Nodes: 3,
		AgentEnv: env, ControllerEnv: env,
		K8sBinDir: k8s, CNIBinDirs: []string{cni},
		LabBinary: filepath.Join(binDir, "spiderlab"), AgentBinary: filepath.Join(binDir, "spiderpool-agent"),
		ControllerBinary: filepath.Join(binDir, "spiderpool-controller"),
		CRDDirs:          []string{filepath.Join(root, "config/crd/bases"), filepath.Join(root, "config/crd/nad")},
		// The agents and controllers run with tokens of the chart's
		// ServiceAccounts, under the chart's RBAC.
		Chart: filepath.Join(root, "charts/spiderpool"), HelmBinary: helm, HostBinDir: binDir,
		Progress: os.Stderr,
		// The Pod webhook, for lab.PodInjectNamespace only.
		PodResourceInject: true,
	}, cleanup, nil
}

func testbinDirs(root string) (k8s, cni string, err error) {
	k8s, cni = os.Getenv("KUBEBUILDER_ASSETS"), os.Getenv("CNI_PLUGINS_DIR")
	if k8s == "" {
		if k8s, err = runScript(root, "hack/testbin.sh"); err != nil {
			return "", "", err
		}
	}
	if cni == "" {
		if cni, err = runScript(root, "hack/testbin.sh", "--cni-dir"); err != nil {
			return "", "", err
		}
	}
	return k8s, cni, nil
}

func runScript(root string, args ...string) (string, error) {
	cmd := exec.Command(filepath.Join(root, args[0]), args[1:]...)
	cmd.Dir, cmd.Stderr = root, os.Stderr
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("%s: %w", strings.Join(args, " "), err)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	return lines[len(lines)-1], nil
}

// applyManifest applies a YAML file of test/e2e with the lab's kubectl.
func applyManifest(ctx context.Context, path string) error {
	out, err := exec.CommandContext(ctx, shared.lab.Kubectl(), "--kubeconfig", shared.lab.Kubeconfig,
		"apply", "-f", path).CombinedOutput()
	if err != nil {
		return fmt.Errorf("kubectl apply -f %s: %w: %s", path, err, out)
	}
	return nil
}

// claimStorageEnv is the environment that turns the claim storage on
// (docs/ipam.md) when E2E_CLAIM_STORAGE=1: every lab of the suite, the
// shared one and those the tests bring up from its options, then runs its
// agents and controllers with SPIDERPOOL_CLAIM_STORAGE=true.
func claimStorageEnv() []string {
	if os.Getenv("E2E_CLAIM_STORAGE") != "1" {
		return nil
	}
	return []string{config.EnvClaimStorage + "=true"}
}

// claimStorageOn says whether the suite runs with the claim storage on.
func claimStorageOn() bool { return claimStorageEnv() != nil }

// labName is E2E_LAB_NAME (at most 5 characters) or "e2e": two runs at once
// on one machine need different names, since namespaces carry it.
func labName() string {
	if n := os.Getenv("E2E_LAB_NAME"); n != "" {
		return n
	}
	return "e2e"
}
