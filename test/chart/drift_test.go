// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package chart_test

import (
	"bytes"
	"os"
	"path/filepath"
	"sort"
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
