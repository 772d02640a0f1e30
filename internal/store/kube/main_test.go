// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package kube_test

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/envtest"

	"github.com/spiderpool-go/spiderpool/internal/ipam/ipamtest"
	"github.com/spiderpool-go/spiderpool/test/utils"
)

// apiServer is the envtest API server shared by the package's tests,
// started once in TestMain; cfg is its admin rest config.
var apiServer struct {
	cfg    *rest.Config
	client client.Client
}

func TestMain(m *testing.M) {
	os.Exit(runMain(m))
}

func runMain(m *testing.M) int {
	testEnv, err := start()
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

func start() (*envtest.Environment, error) {
	root, err := utils.ModuleRoot()
	if err != nil {
		return nil, err
	}
	assets, err := utils.LookupKubebuilderAssets()
	if err != nil {
		return nil, err
	}
	testEnv := &envtest.Environment{
		BinaryAssetsDirectory: assets,
		CRDDirectoryPaths:     []string{filepath.Join(root, "config", "crd", "bases")},
		ErrorIfCRDPathMissing: true,
		Scheme:                ipamtest.Scheme(),
	}
	cfg, err := testEnv.Start()
	if err != nil {
		return nil, err
	}
	apiServer.cfg = cfg
	apiServer.client, err = newClient()
	if err != nil {
		return nil, fmt.Errorf("client: %w (stop: %w)", err, testEnv.Stop())
	}
	return testEnv, nil
}

// newClient returns a direct (cache-less) client with its own connections
// and the agent's client rate limits (QPS 50, burst 100).
func newClient() (client.Client, error) {
	cfg := rest.CopyConfig(apiServer.cfg)
	cfg.QPS, cfg.Burst = 50, 100
	return client.New(cfg, client.Options{Scheme: ipamtest.Scheme()})
}
