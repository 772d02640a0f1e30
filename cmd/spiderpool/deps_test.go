// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package main

import (
	"debug/elf"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/spiderpool-go/spiderpool/test/utils"
)

// heavyPackages are packages a CNI plugin must not link: every ADD starts
// a plugin process, and their initialisers and size cost CPU on each start
// (docs/benchmarks.md, "Plugin CPU per ADD without net/http").
var heavyPackages = regexp.MustCompile(`^(net/http|crypto/tls|k8s\.io/|sigs\.k8s\.io/)`)

// TestPluginsStayLean: the three CNI plugins link neither net/http nor a
// Kubernetes library.
func TestPluginsStayLean(t *testing.T) {
	for _, cmd := range []string{"../spiderpool", "../coordinator", "../ifacer"} {
		out, err := exec.Command("go", "list", "-deps", cmd).Output()
		if err != nil {
			t.Fatalf("go list -deps %s: %v", cmd, err)
		}
		for _, pkg := range strings.Fields(string(out)) {
			if heavyPackages.MatchString(pkg) {
				t.Errorf("%s links %s; keep the plugins free of it (go list -deps -f '{{.ImportPath}}: {{.Imports}}' %s shows who imports it)", cmd, pkg, cmd)
			}
		}
	}
}

// TestPluginsLinkStatically: built as every build of the project builds
// them (utils.BuildEnv, `make build`: CGO_ENABLED=0), the three CNI plugins
// are static executables, with no dynamic loader to ask for. The agent
// copies them onto hosts, whose C library may be any; and a static plugin
// starts faster (docs/benchmarks.md, "Static plugins").
func TestPluginsLinkStatically(t *testing.T) {
	dir := t.TempDir()
	for _, cmd := range []string{"spiderpool", "coordinator", "ifacer"} {
		utils.BuildCommand(t, "./cmd/"+cmd, dir, cmd)
		f, err := elf.Open(filepath.Join(dir, cmd))
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range f.Progs {
			if p.Type == elf.PT_INTERP {
				t.Errorf("%s asks for a dynamic loader (PT_INTERP): a package it links needs cgo; build it with CGO_ENABLED=0", cmd)
			}
		}
		_ = f.Close()
	}
}
