// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package contention_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/spiderpool-go/spiderpool/test/bench"
	"github.com/spiderpool-go/spiderpool/test/bench/contention"
	"github.com/spiderpool-go/spiderpool/test/lab"
	"github.com/spiderpool-go/spiderpool/test/utils"
)

// TestSmoke runs shared-v4 with 20 pods on 2 nodes in a lab of its own,
// with today's storage and with the claim storage (build "claims"), and
// checks what the figures rest on: every ADD returned an address,
// no address twice, every DEL succeeded and freed its record. It needs
// root and the lab's binaries: SPIDERPOOL_CONTENTION=1, with
// KUBEBUILDER_ASSETS and CNI_PLUGINS_DIR (hack/testbin.sh).
func TestSmoke(t *testing.T) {
	if os.Getenv("SPIDERPOOL_CONTENTION") != "1" {
		t.Skip("the contention smoke test brings a lab up (root): SPIDERPOOL_CONTENTION=1")
	}
	k8s, cni := os.Getenv("KUBEBUILDER_ASSETS"), os.Getenv("CNI_PLUGINS_DIR")
	if k8s == "" || cni == "" {
		t.Fatal("KUBEBUILDER_ASSETS and CNI_PLUGINS_DIR must name the binaries of hack/testbin.sh")
	}
	root, err := utils.ModuleRoot()
	if err != nil {
		t.Fatal(err)
	}
	bin := t.TempDir()
	build := exec.Command("go", "build", "-o", bin+"/", "./cmd/spiderlab", "./cmd/spiderpool-agent", "./cmd/spiderpool", "./cmd/spiderpool-controller")
	build.Dir, build.Env = root, utils.BuildEnv()
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build: %v: %s", err, out)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	l, err := lab.Up(ctx, contention.LabOptions(lab.Options{
		Name: "ctsmk", Dir: filepath.Join(t.TempDir(), "lab"), Nodes: 2, K8sBinDir: k8s, CNIBinDirs: []string{cni},
		HostBinDir: bin, LabBinary: filepath.Join(bin, "spiderlab"), AgentBinary: filepath.Join(bin, "spiderpool-agent"),
		ControllerBinary: filepath.Join(bin, "spiderpool-controller"),
		CRDDirs:          []string{filepath.Join(root, "config/crd/bases"), filepath.Join(root, "config/crd/nad")},
	}))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := l.Down(context.Background()); err != nil {
			t.Error(err)
		}
	})
	res := run(ctx, t, l, bin)
	if len(res.Runs) != 2 {
		t.Fatalf("runs %+v; want the current build and the claims build", res.Runs)
	}
	for _, r := range res.Runs {
		if len(r.Phases) != 2 {
			t.Fatalf("build %s: phases %+v", r.Build, r.Phases)
		}
		add, del := r.Phases[0], r.Phases[1]
		if add.OK != 20 || add.Checks.Duplicates != 0 || add.Checks.Recorded != 20 {
			t.Errorf("%s ADD: %d/20 ok (%v), %d duplicates, %d records (%v)", r.Build, add.OK, add.FirstErrors,
				add.Checks.Duplicates, add.Checks.Recorded, add.Notes)
		}
		if del.OK != 20 || del.Checks.Recorded != 0 {
			t.Errorf("%s DEL: %d/20 ok (%v), %d records left (%v)", r.Build, del.OK, del.FirstErrors, del.Checks.Recorded, del.Notes)
		}
		if add.API.PoolWrites == 0 || add.CPUPer1000["plugin"] == 0 {
			t.Errorf("%s ADD measured no pool write or no plugin CPU: %+v, %v", r.Build, add.API, add.CPUPer1000)
		}
	}
	t.Log("\n" + contention.Markdown(res))
}

func run(ctx context.Context, t *testing.T, l *lab.Lab, bin string) *contention.Results {
	t.Helper()
	cfg, err := l.RESTConfig()
	if err != nil {
		t.Fatal(err)
	}
	c, err := l.Client()
	if err != nil {
		t.Fatal(err)
	}
	scenarios, err := contention.PickScenarios([]string{"shared-v4"})
	if err != nil {
		t.Fatal(err)
	}
	res, err := contention.Run(ctx, bench.Env{Lab: l, Config: cfg, Client: c}, contention.Options{
		Scenarios: scenarios, Pods: 20, Concurrency: 5, Settle: 2 * time.Second,
		Builds: []contention.Build{
			{Name: "current", AgentBinary: l.AgentBinary, PluginBinary: filepath.Join(bin, "spiderpool")},
			{Name: "claims", AgentBinary: l.AgentBinary, PluginBinary: filepath.Join(bin, "spiderpool"), ClaimStorage: true},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	return res
}
