// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package certs_test

import (
	"fmt"
	"os"
	"testing"

	"k8s.io/apimachinery/pkg/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/envtest"

	"github.com/spiderpool-go/spiderpool/test/utils"
)

// apiServer is the envtest API server shared by the package's tests.
var apiServer struct {
	cfg    *rest.Config
	client client.Client
	scheme *runtime.Scheme
}

func TestMain(m *testing.M) {
	os.Exit(runMain(m))
}

func runMain(m *testing.M) int {
	assets, err := utils.LookupKubebuilderAssets()
	if err != nil {
		fmt.Fprintf(os.Stderr, "kubebuilder assets: %v\n", err)
		return 1
	}
	testEnv := &envtest.Environment{BinaryAssetsDirectory: assets}
	if apiServer.cfg, err = testEnv.Start(); err != nil {
		fmt.Fprintf(os.Stderr, "start envtest: %v\n", err)
		return 1
	}
	defer func() {
		if err := testEnv.Stop(); err != nil {
			fmt.Fprintf(os.Stderr, "stop envtest: %v\n", err)
		}
	}()
	apiServer.scheme = clientgoscheme.Scheme
	if apiServer.client, err = client.New(apiServer.cfg, client.Options{Scheme: apiServer.scheme}); err != nil {
		fmt.Fprintf(os.Stderr, "client: %v\n", err)
		return 1
	}
	return m.Run()
}
