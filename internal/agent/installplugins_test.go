// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package agent

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestInstallPluginsCommand: "spiderpool-agent install-plugins" copies the
// default plugins and reports each; a missing one fails the hook.
func TestInstallPluginsCommand(t *testing.T) {
	src, dst := t.TempDir(), t.TempDir()
	for _, name := range []string{"spiderpool", "coordinator", "ifacer"} {
		if err := os.WriteFile(filepath.Join(src, name), []byte(name), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	run := func(args ...string) (string, error) {
		cmd := NewCommand()
		var out bytes.Buffer
		cmd.SetOut(&out)
		cmd.SetErr(&out)
		cmd.SetArgs(append([]string{"install-plugins", "--src-dir", src, "--cni-bin-dir", dst}, args...))
		err := cmd.Execute()
		return out.String(), err
	}
	out, err := run()
	if err != nil || strings.Count(out, "installed ") != 3 {
		t.Fatalf("install: %v\n%s", err, out)
	}
	for _, name := range []string{"spiderpool", "coordinator", "ifacer"} {
		if got, err := os.ReadFile(filepath.Join(dst, name)); err != nil || string(got) != name {
			t.Errorf("%s: %q, %v", name, got, err)
		}
	}
	if out, err = run(); err != nil || strings.Count(out, "unchanged ") != 3 {
		t.Fatalf("second install: %v\n%s", err, out)
	}
	if out, err = run("--plugins", "spiderpool,macvlan"); err == nil || !strings.Contains(out, "unchanged ") {
		t.Fatalf("missing plugin: %v\n%s", err, out)
	}
}
