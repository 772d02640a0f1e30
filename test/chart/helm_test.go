// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package chart_test

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"

	"github.com/spiderpool-go/spiderpool/test/utils"
)

// releaseNamespace is the namespace every test renders into.
const releaseNamespace = "spiderpool-ns"

// chartEnv is where helm, the chart and helm's home directories are.
type chartEnv struct {
	helm, root, chart, home string
}

// newChartEnv finds helm (skipping t without it) and the chart.
func newChartEnv(t *testing.T) chartEnv {
	t.Helper()
	helm, err := utils.HelmBinary()
	if errors.Is(err, utils.ErrNoHelm) {
		t.Skipf("skipping: %v", err)
	}
	if err != nil {
		t.Fatal(err)
	}
	root, err := utils.ModuleRoot()
	if err != nil {
		t.Fatal(err)
	}
	return chartEnv{helm: helm, root: root, chart: filepath.Join(root, "charts", "spiderpool"), home: t.TempDir()}
}

// run runs helm with args and values (written to a file and passed with
// -f when non-nil); it returns stdout, and stderr in the error.
func (e chartEnv) run(t *testing.T, values map[string]any, args ...string) (string, error) {
	t.Helper()
	if values != nil {
		data, err := yaml.Marshal(values)
		if err != nil {
			t.Fatal(err)
		}
		f := filepath.Join(t.TempDir(), "values.yaml")
		if err := os.WriteFile(f, data, 0o600); err != nil {
			t.Fatal(err)
		}
		args = append(args, "-f", f)
	}
	cmd := exec.CommandContext(t.Context(), e.helm, args...)
	cmd.Env = utils.HelmEnv(e.home)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return stdout.String(), &helmError{err: err, stderr: stderr.String() + stdout.String()}
	}
	return stdout.String(), nil
}

// helmError is a failed helm run with its output.
type helmError struct {
	err    error
	stderr string
}

func (e *helmError) Error() string { return e.err.Error() + ": " + strings.TrimSpace(e.stderr) }

func (e *helmError) Unwrap() error { return e.err }

// template renders the chart with values and parses the objects.
func (e chartEnv) template(t *testing.T, values map[string]any) objects {
	t.Helper()
	out, err := e.run(t, values, "template", "spiderpool", e.chart, "--namespace", releaseNamespace)
	if err != nil {
		t.Fatalf("helm template: %v", err)
	}
	return parseObjects(t, out)
}

// lint runs helm lint, with --strict when strict.
func (e chartEnv) lint(t *testing.T, values map[string]any, strict bool) error {
	t.Helper()
	args := []string{"lint", e.chart, "--namespace", releaseNamespace}
	if strict {
		args = append(args, "--strict")
	}
	_, err := e.run(t, values, args...)
	return err
}

// set returns values with value at the dotted path key (maps are created).
func set(values map[string]any, key string, value any) map[string]any {
	if values == nil {
		values = map[string]any{}
	}
	parts := strings.Split(key, ".")
	m := values
	for _, p := range parts[:len(parts)-1] {
		next, ok := m[p].(map[string]any)
		if !ok {
			next = map[string]any{}
			m[p] = next
		}
		m = next
	}
	m[parts[len(parts)-1]] = value
	return values
}

// with builds a values map from key/value pairs of dotted paths.
func with(kv ...any) map[string]any {
	values := map[string]any{}
	for i := 0; i+1 < len(kv); i += 2 {
		set(values, kv[i].(string), kv[i+1])
	}
	return values
}

// yamlUnmarshal is sigs.k8s.io/yaml's Unmarshal.
func yamlUnmarshal(data []byte, out any) error {
	return yaml.Unmarshal(data, out)
}
