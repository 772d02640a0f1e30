// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package crd_test

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestVerifyGeneratedDetectsDrift runs hack/verify-generated.sh on a copy of
// the repository: it passes as committed, and fails once a type changes
// without regenerating.
func TestVerifyGeneratedDetectsDrift(t *testing.T) {
	repo := t.TempDir()
	for _, p := range []string{"api", "config", "hack", "go.mod", "go.sum"} {
		copyTree(t, filepath.Join(env.root, p), filepath.Join(repo, p))
	}

	if out, err := verifyGenerated(t, repo); err != nil {
		t.Fatalf("unmodified copy: %v\n%s", err, out)
	}

	types := filepath.Join(repo, "api", "v2beta1", "spiderippool_types.go")
	addField(t, types, "type IPPoolSpec struct {",
		"\t// DriftCheck is a field added by the test.\n\t// +optional\n\tDriftCheck *string `json:\"driftCheck,omitempty\"`\n")
	out, err := verifyGenerated(t, repo)
	var exitErr *exec.ExitError
	if !errors.As(err, &exitErr) {
		t.Fatalf("after editing a type: got %v, want a non-zero exit\n%s", err, out)
	}
	for _, want := range []string{"run: make generate manifests", "driftCheck", "DriftCheck"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

// verifyGenerated runs the copy's script; controller-gen is installed into
// (or found in) the real repository's bin/ so it is built only once.
func verifyGenerated(t *testing.T, repo string) (string, error) {
	t.Helper()
	cmd := exec.CommandContext(t.Context(), filepath.Join(repo, "hack", "verify-generated.sh"), repo)
	cmd.Env = append(os.Environ(), "LOCALBIN="+filepath.Join(env.root, "bin"))
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// addField inserts field right after the line anchor in file.
func addField(t *testing.T, file, anchor, field string) {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	src := string(data)
	if !strings.Contains(src, anchor+"\n") {
		t.Fatalf("%s lacks %q", file, anchor)
	}
	src = strings.Replace(src, anchor+"\n", anchor+"\n"+field+"\n", 1)
	if err := os.WriteFile(file, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
}

// copyTree copies a file or directory tree, keeping file modes.
func copyTree(t *testing.T, src, dst string) {
	t.Helper()
	err := filepath.WalkDir(src, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, path)
		if err != nil {
			return err
		}
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(target, data, info.Mode().Perm())
	})
	if err != nil {
		t.Fatalf("copy %s: %v", src, err)
	}
}
