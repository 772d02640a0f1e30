// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package controller_test

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/go-logr/logr"
	"k8s.io/apimachinery/pkg/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/rest"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/envtest"

	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
	"github.com/spiderpool-go/spiderpool/test/utils"
)

// apiServer is the envtest API server, with Spiderpool's CRDs, shared by
// the package's tests.
var apiServer struct {
	cfg    *rest.Config
	client client.WithWatch
	scheme *runtime.Scheme
}

func TestMain(m *testing.M) {
	ctrl.SetLogger(logr.Discard())
	os.Exit(runMain(m))
}

func runMain(m *testing.M) int {
	testEnv, err := startEnv()
	if err != nil {
		fmt.Fprintf(os.Stderr, "start envtest: %v\n", err)
		return 1
	}
	code := m.Run()
	if err := testEnv.Stop(); err != nil {
		fmt.Fprintf(os.Stderr, "stop envtest: %v\n", err)
	}
	return code
}

func startEnv() (*envtest.Environment, error) {
	root, err := utils.ModuleRoot()
	if err != nil {
		return nil, err
	}
	assets, err := utils.LookupKubebuilderAssets()
	if err != nil {
		return nil, err
	}
	apiServer.scheme = runtime.NewScheme()
	if err := errors.Join(clientgoscheme.AddToScheme(apiServer.scheme), spiderpoolv2beta1.AddToScheme(apiServer.scheme)); err != nil {
		return nil, err
	}
	testEnv := &envtest.Environment{
		BinaryAssetsDirectory: assets,
		CRDDirectoryPaths:     []string{filepath.Join(root, "config", "crd", "bases")},
		ErrorIfCRDPathMissing: true,
		Scheme:                apiServer.scheme,
	}
	if apiServer.cfg, err = testEnv.Start(); err != nil {
		return nil, err
	}
	if apiServer.client, err = client.NewWithWatch(apiServer.cfg, client.Options{Scheme: apiServer.scheme}); err != nil {
		return nil, errors.Join(err, testEnv.Stop())
	}
	return testEnv, nil
}
