// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package utils

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/containernetworking/plugins/pkg/ns"
	"github.com/containernetworking/plugins/pkg/testutils"
)

// cniPluginsVersion is the reference plugins' release hack/testbin.sh builds.
const cniPluginsVersion = "v1.9.1"

// NewNS creates a named network namespace that is closed and unmounted
// when the test ends.
func NewNS(t testing.TB) ns.NetNS {
	t.Helper()
	n, err := testutils.NewNS()
	if err != nil {
		t.Fatalf("create netns: %v", err)
	}
	t.Cleanup(func() { RemoveNS(t, n) })
	return n
}

// RemoveNS closes and unmounts n now (a test may remove a pod's namespace
// before its DEL); removing it again, as NewNS's cleanup does, is harmless.
func RemoveNS(t testing.TB, n ns.NetNS) {
	t.Helper()
	if err := errors.Join(n.Close(), testutils.UnmountNS(n)); err != nil && !errors.Is(err, os.ErrNotExist) {
		t.Logf("remove netns %s: %v", n.Path(), err)
	}
}

// CNIPluginsDir returns the directory of the reference CNI plugins that
// hack/testbin.sh --cni-dir builds: $CNI_PLUGINS_DIR, else its cache. It
// skips t when one of plugins is not there.
func CNIPluginsDir(t testing.TB, plugins ...string) string {
	t.Helper()
	dir := os.Getenv("CNI_PLUGINS_DIR")
	if dir == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			t.Skipf("no CNI_PLUGINS_DIR and no home directory: %v", err)
		}
		dir = filepath.Join(home, ".cache", "spiderpool-testbin", "cni-plugins-"+cniPluginsVersion)
	}
	for _, p := range plugins {
		if _, err := os.Stat(filepath.Join(dir, p)); err != nil {
			t.Skipf("%s plugin not found (run hack/testbin.sh --cni-dir or set CNI_PLUGINS_DIR): %v", p, err)
		}
	}
	return dir
}

// BuildEnv is the environment of every build of the module's commands:
// CGO_ENABLED=0, so that they link statically as `make build` links them.
// The agent copies the CNI plugins onto hosts, where a dynamically linked
// binary depends on the host's C library, and a static plugin also starts
// faster (no dynamic loader, no libc start-up: docs/benchmarks.md).
func BuildEnv() []string { return append(os.Environ(), "CGO_ENABLED=0") }

// BuildCommand builds the module's command pkg (such as "./cmd/coordinator")
// into dir as name, and fails t when it does not build.
func BuildCommand(t testing.TB, pkg, dir, name string) {
	t.Helper()
	root, err := ModuleRoot()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("go", "build", "-o", filepath.Join(dir, name), pkg)
	cmd.Dir, cmd.Env = root, BuildEnv()
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("build %s: %v\n%s", pkg, err, out)
	}
}

// RandomSuffix returns 12 random hex digits, to name links and namespaces
// that must not collide with another test's.
func RandomSuffix(t testing.TB) string {
	t.Helper()
	b := make([]byte, 6)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(b)
}
