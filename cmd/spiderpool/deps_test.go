// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package main

import (
	"os/exec"
	"regexp"
	"strings"
	"testing"
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
