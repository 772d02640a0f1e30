// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package chart_test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/spiderpool-go/spiderpool/test/utils"
)

// TestChartCopiesMatchConfig checks that charts/spiderpool/crds and
// files/rbac are exact copies of config/ (hack/sync-chart.sh, make
// chart-sync); it needs no helm.
func TestChartCopiesMatchConfig(t *testing.T) {
	root, err := utils.ModuleRoot()
	if err != nil {
		t.Fatal(err)
	}
	chart := filepath.Join(root, "charts", "spiderpool")
	want := map[string]string{} // chart path → config path
	for _, dir := range []string{"config/crd/bases", "config/crd/nad"} {
		files, err := filepath.Glob(filepath.Join(root, dir, "*.yaml"))
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range files {
			want[filepath.Join("crds", filepath.Base(f))] = f
		}
	}
	roles, err := filepath.Glob(filepath.Join(root, "config", "rbac", "*", "role.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range roles {
		want[filepath.Join("files", "rbac", filepath.Base(filepath.Dir(f)), "role.yaml")] = f
	}
	if len(roles) != 4 {
		t.Errorf("config/rbac has %d component roles, want 4 (agent, controller, init, cleanup)", len(roles))
	}
	got := listFiles(t, chart, "crds")
	got = append(got, listFiles(t, chart, filepath.Join("files", "rbac"))...)
	wantNames := make([]string, 0, len(want))
	for k := range want {
		wantNames = append(wantNames, k)
	}
	sort.Strings(wantNames)
	if diff := cmp.Diff(wantNames, got); diff != "" {
		t.Errorf("chart files differ from config/ (-config +chart); run make chart-sync:\n%s", diff)
	}
	for rel, src := range want {
		a, errA := os.ReadFile(src)
		b, errB := os.ReadFile(filepath.Join(chart, rel))
		if errA != nil || errB != nil {
			continue // reported above
		}
		if !bytes.Equal(a, b) {
			t.Errorf("charts/spiderpool/%s differs from %s; run make chart-sync", rel, src)
		}
	}
}

// listFiles returns the files under root/dir, relative to root, sorted.
func listFiles(t *testing.T, root, dir string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(filepath.Join(root, dir), func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(root, p)
		out = append(out, rel)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(out)
	return out
}

// TestRolesMatchMarkers regenerates config/rbac from the +kubebuilder:rbac
// markers (hack/gen-rbac.sh) into a temporary directory and compares; it
// skips when the pinned controller-gen is not built (make tools).
func TestRolesMatchMarkers(t *testing.T) {
	root, err := utils.ModuleRoot()
	if err != nil {
		t.Fatal(err)
	}
	gen := filepath.Join(root, "bin", "controller-gen-v0.19.0")
	if _, err := os.Stat(gen); err != nil {
		t.Skipf("skipping: %s is missing (make tools): %v", gen, err)
	}
	out := t.TempDir()
	cmd := exec.CommandContext(t.Context(), filepath.Join(root, "hack", "gen-rbac.sh"), out)
	cmd.Env = append(os.Environ(), "CONTROLLER_GEN="+gen)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("hack/gen-rbac.sh: %v\n%s", err, b)
	}
	got := listFiles(t, out, ".")
	want := listFiles(t, filepath.Join(root, "config", "rbac"), ".")
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("config/rbac files differ from the markers' (-committed +generated); run make manifests chart-sync:\n%s", diff)
	}
	for _, rel := range got {
		a, _ := os.ReadFile(filepath.Join(root, "config", "rbac", rel))
		b, _ := os.ReadFile(filepath.Join(out, rel))
		if diff := cmp.Diff(string(a), string(b)); diff != "" {
			t.Errorf("config/rbac/%s differs from the markers (-committed +generated); run make manifests chart-sync:\n%s", rel, diff)
		}
	}
}

// TestSyncChartVerifyDetectsDrift runs hack/sync-chart.sh --verify on a
// copy of the repository: it passes as committed and fails, naming the
// fix, once a chart copy is edited.
func TestSyncChartVerifyDetectsDrift(t *testing.T) {
	root, err := utils.ModuleRoot()
	if err != nil {
		t.Fatal(err)
	}
	repo := t.TempDir()
	for _, p := range []string{"charts", "config", "hack"} {
		cmd := exec.CommandContext(t.Context(), "cp", "-R", filepath.Join(root, p), filepath.Join(repo, p))
		if b, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("copy %s: %v\n%s", p, err, b)
		}
	}
	verify := func() (string, error) {
		b, err := exec.CommandContext(t.Context(), filepath.Join(repo, "hack", "sync-chart.sh"), "--verify").CombinedOutput()
		return string(b), err
	}
	if out, err := verify(); err != nil {
		t.Fatalf("unmodified copy: %v\n%s", err, out)
	}
	role := filepath.Join(repo, "charts", "spiderpool", "files", "rbac", "agent", "role.yaml")
	data, err := os.ReadFile(role)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(role, append(data, []byte("- apiGroups: [\"\"]\n  resources: [secrets]\n  verbs: [get]\n")...), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := verify()
	if err == nil || !strings.Contains(out, "run: make chart-sync") || !strings.Contains(out, "secrets") {
		t.Errorf("after editing the chart's agent role: err %v, output:\n%s", err, out)
	}
}
