// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package utils

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// HelmVersion is the helm the Makefile pins (HELM_VERSION); "make tools"
// builds it into bin/helm-<HelmVersion>.
const HelmVersion = "v3.16.4"

// ErrNoHelm is returned by HelmBinary when helm is not found.
var ErrNoHelm = errors.New("helm not found: set HELM or run make tools (builds bin/helm-" + HelmVersion + ")")

// HelmBinary returns the helm to run: $HELM when set, else
// <module root>/bin/helm-<HelmVersion>. It returns ErrNoHelm when the file
// does not exist.
func HelmBinary() (string, error) {
	path := os.Getenv("HELM")
	if path == "" {
		root, err := ModuleRoot()
		if err != nil {
			return "", err
		}
		path = filepath.Join(root, "bin", "helm-"+HelmVersion)
	}
	if _, err := os.Stat(path); err != nil {
		return "", fmt.Errorf("%w (%s: %w)", ErrNoHelm, path, err)
	}
	return path, nil
}

// Helm returns HelmBinary's path, failing t when helm is missing.
func Helm(t testing.TB) string {
	t.Helper()
	path, err := HelmBinary()
	if err != nil {
		t.Fatal(err)
	}
	return path
}

// HelmEnv returns the environment for running helm with its cache, config
// and data directories under dir, so that helm never writes to $HOME.
func HelmEnv(dir string) []string {
	return append(os.Environ(),
		"HELM_CACHE_HOME="+filepath.Join(dir, "cache"),
		"HELM_CONFIG_HOME="+filepath.Join(dir, "config"),
		"HELM_DATA_HOME="+filepath.Join(dir, "data"),
	)
}
