// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package utils

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/envtest"
)

// NewEnvtest returns an envtest Environment on the pinned binaries with the
// project's CRDs (config/crd/bases, plus extra directories relative to the
// module root) installed, ready to Start.
func NewEnvtest(scheme *runtime.Scheme, extraCRDDirs ...string) (*envtest.Environment, error) {
	root, err := ModuleRoot()
	if err != nil {
		return nil, err
	}
	assets, err := LookupKubebuilderAssets()
	if err != nil {
		return nil, err
	}
	dirs := []string{filepath.Join(root, "config", "crd", "bases")}
	for _, d := range extraCRDDirs {
		dirs = append(dirs, filepath.Join(root, d))
	}
	return &envtest.Environment{
		BinaryAssetsDirectory: assets,
		CRDDirectoryPaths:     dirs,
		ErrorIfCRDPathMissing: true,
		Scheme:                scheme,
	}, nil
}

// RunWithEnvtest is a TestMain body: it starts one envtest API server for
// the package, hands its config to setup, runs the tests and stops it.
// Extra CRDs (e.g. KubevirtCRDs) are installed next to the project's.
func RunWithEnvtest(m *testing.M, scheme *runtime.Scheme, setup func(*rest.Config) error,
	extraCRDs ...*apiextensionsv1.CustomResourceDefinition,
) int {
	env, err := NewEnvtest(scheme)
	if err != nil {
		fmt.Fprintf(os.Stderr, "envtest: %v\n", err)
		return 1
	}
	env.CRDs = extraCRDs
	cfg, err := env.Start()
	if err != nil {
		fmt.Fprintf(os.Stderr, "start envtest: %v\n", err)
		return 1
	}
	defer func() {
		if err := env.Stop(); err != nil {
			fmt.Fprintf(os.Stderr, "stop envtest: %v\n", err)
		}
	}()
	if err := setup(cfg); err != nil {
		fmt.Fprintf(os.Stderr, "envtest setup: %v\n", err)
		return 1
	}
	return m.Run()
}

// StartEnvtestWithEtcdLimit starts an API server of its own for one test,
// with the project's CRDs, whose etcd stores at most maxRequestBytes per
// request (--max-request-bytes; etcd's default is 1.5 MiB), so that a test
// can reach the limit with a small object. It is stopped at the test's end.
func StartEnvtestWithEtcdLimit(t testing.TB, scheme *runtime.Scheme, maxRequestBytes int) *rest.Config {
	t.Helper()
	env, err := NewEnvtest(scheme)
	if err != nil {
		t.Fatal(err)
	}
	env.ControlPlane.Etcd = &envtest.Etcd{}
	env.ControlPlane.Etcd.Configure().Set("max-request-bytes", fmt.Sprint(maxRequestBytes))
	cfg, err := env.Start()
	if err != nil {
		t.Fatalf("start envtest with etcd's request limit %d: %v", maxRequestBytes, err)
	}
	t.Cleanup(func() {
		if err := env.Stop(); err != nil {
			t.Errorf("stop envtest: %v", err)
		}
	})
	return cfg
}
