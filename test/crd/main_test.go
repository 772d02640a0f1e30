// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package crd_test

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"k8s.io/apimachinery/pkg/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/envtest"

	nadv1 "github.com/spiderpool-go/spiderpool/api/k8scni/v1"
	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
	"github.com/spiderpool-go/spiderpool/test/utils"
)

// suite is the API server shared by every test of the package, started once
// in TestMain (about 3 s per start).
type suite struct {
	root       string // module root
	assets     string // kube-apiserver, etcd, kubectl
	crds       []*apiextensionsv1.CustomResourceDefinition
	client     client.Client
	kubeconfig string // admin kubeconfig for kubectl
	tmp        string
}

// env is set by TestMain before any test runs and never changed afterwards.
var env *suite

func TestMain(m *testing.M) {
	os.Exit(runMain(m))
}

func runMain(m *testing.M) int {
	s, testEnv, err := startSuite()
	if err != nil {
		fmt.Fprintf(os.Stderr, "start envtest: %v\n", err)
		return 1
	}
	env = s
	code := m.Run()
	if err := testEnv.Stop(); err != nil {
		fmt.Fprintf(os.Stderr, "stop envtest: %v\n", err)
	}
	_ = os.RemoveAll(s.tmp) // best effort: a leftover temp dir is harmless
	return code
}

func startSuite() (*suite, *envtest.Environment, error) {
	root, err := utils.ModuleRoot()
	if err != nil {
		return nil, nil, err
	}
	assets, err := utils.LookupKubebuilderAssets()
	if err != nil {
		return nil, nil, err
	}
	scheme, err := newScheme()
	if err != nil {
		return nil, nil, err
	}
	testEnv := &envtest.Environment{
		BinaryAssetsDirectory: assets,
		CRDDirectoryPaths: []string{
			filepath.Join(root, "config", "crd", "bases"),
			filepath.Join(root, "config", "crd", "nad"),
		},
		ErrorIfCRDPathMissing: true,
		Scheme:                scheme,
	}
	cfg, err := testEnv.Start()
	if err != nil {
		return nil, nil, err
	}
	s, err := newSuite(testEnv, root, assets)
	if err == nil {
		s.client, err = client.New(cfg, client.Options{Scheme: scheme})
	}
	if err != nil {
		return nil, nil, errors.Join(err, testEnv.Stop())
	}
	return s, testEnv, nil
}

// newSuite writes an admin kubeconfig for kubectl into a fresh temp dir.
func newSuite(testEnv *envtest.Environment, root, assets string) (*suite, error) {
	tmp, err := os.MkdirTemp("", "crd-test-")
	if err != nil {
		return nil, fmt.Errorf("temp dir: %w", err)
	}
	user, err := testEnv.AddUser(envtest.User{Name: "kubectl-admin", Groups: []string{"system:masters"}}, nil)
	if err != nil {
		return nil, fmt.Errorf("add kubectl user: %w", err)
	}
	kubeconfig, err := user.KubeConfig()
	if err != nil {
		return nil, fmt.Errorf("kubeconfig: %w", err)
	}
	path := filepath.Join(tmp, "kubeconfig")
	if err := os.WriteFile(path, kubeconfig, 0o600); err != nil {
		return nil, fmt.Errorf("write kubeconfig: %w", err)
	}
	return &suite{root: root, assets: assets, crds: testEnv.CRDs, kubeconfig: path, tmp: tmp}, nil
}

func newScheme() (*runtime.Scheme, error) {
	scheme := runtime.NewScheme()
	for _, add := range []func(*runtime.Scheme) error{
		clientgoscheme.AddToScheme, apiextensionsv1.AddToScheme, spiderpoolv2beta1.AddToScheme, nadv1.AddToScheme,
	} {
		if err := add(scheme); err != nil {
			return nil, fmt.Errorf("build scheme: %w", err)
		}
	}
	return scheme, nil
}
