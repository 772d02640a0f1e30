// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package utils

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// ErrNoModuleRoot is returned when no go.mod is found above the working
// directory.
var ErrNoModuleRoot = errors.New("no go.mod found in the working directory or its parents")

// KubebuilderAssets returns the directory holding kube-apiserver, etcd and
// kubectl for envtest: $KUBEBUILDER_ASSETS when set, else the directory that
// hack/testbin.sh builds (or finds cached) and prints. It fails t when
// neither works.
func KubebuilderAssets(t testing.TB) string {
	t.Helper()
	dir, err := LookupKubebuilderAssets()
	if err != nil {
		t.Fatalf("kubebuilder assets: %v", err)
	}
	return dir
}

// LookupKubebuilderAssets is KubebuilderAssets for callers without a
// testing.TB, such as TestMain.
func LookupKubebuilderAssets() (string, error) {
	if dir := os.Getenv("KUBEBUILDER_ASSETS"); dir != "" {
		return dir, nil
	}
	root, err := ModuleRoot()
	if err != nil {
		return "", err
	}
	return runTestbin(filepath.Join(root, "hack", "testbin.sh"))
}

// ModuleRoot returns the nearest directory at or above the working directory
// that holds a go.mod.
func ModuleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", fmt.Errorf("module root: %w", err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", ErrNoModuleRoot
		}
		dir = parent
	}
}

// runTestbin runs hack/testbin.sh, which builds what is missing and prints
// the assets directory on its last line of stdout. Its progress goes to
// stderr.
func runTestbin(script string) (string, error) {
	var stdout bytes.Buffer
	cmd := exec.Command(script)
	cmd.Stdout = &stdout
	cmd.Stderr = os.Stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("run %s: %w", script, err)
	}
	lines := strings.Split(strings.TrimSpace(stdout.String()), "\n")
	dir := strings.TrimSpace(lines[len(lines)-1])
	if dir == "" {
		return "", fmt.Errorf("run %s: no directory printed", script)
	}
	return dir, nil
}
