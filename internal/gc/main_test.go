// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package gc

import (
	"flag"
	"fmt"
	"os"
	"testing"

	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/envtest"

	"github.com/spiderpool-go/spiderpool/test/utils"
)

// apiServer is the envtest API server shared by the package's tests,
// started once in TestMain. There is no kubelet, controller-manager or
// scheduler: pods stay as the tests write them.
var apiServer struct {
	cfg    *rest.Config
	client client.Client
}

func TestMain(m *testing.M) {
	os.Exit(runMain(m))
}

func runMain(m *testing.M) int {
	flag.Parse()
	if fuzzing() {
		return m.Run() // the fuzz targets are pure; every fuzz worker would start its own API server
	}
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

// fuzzing reports whether go test runs with -fuzz (as coordinator or
// worker); tests that need the API server then skip.
func fuzzing() bool {
	f := flag.Lookup("test.fuzz")
	return f != nil && f.Value.String() != ""
}

func start() (*envtest.Environment, error) {
	testEnv, err := utils.NewEnvtest(testScheme())
	if err != nil {
		return nil, err
	}
	testEnv.CRDs = utils.KubevirtCRDs()
	cfg, err := testEnv.Start()
	if err != nil {
		return nil, err
	}
	apiServer.cfg = cfg
	if apiServer.client, err = client.New(cfg, client.Options{Scheme: testScheme()}); err != nil {
		return nil, fmt.Errorf("client: %w (stop: %w)", err, testEnv.Stop())
	}
	return testEnv, nil
}
