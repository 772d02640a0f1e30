// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package kubevirt

import (
	"fmt"
	"os"
	"testing"

	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/spiderpool-go/spiderpool/internal/ipam/ipamtest"
	"github.com/spiderpool-go/spiderpool/test/utils"
)

// apiServer is the package's envtest API server.
var apiServer struct {
	cfg    *rest.Config
	client client.Client
}

func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	env, err := utils.NewEnvtest(ipamtest.Scheme())
	if err != nil {
		fmt.Fprintf(os.Stderr, "envtest: %v\n", err)
		return 1
	}
	env.CRDs = utils.KubevirtCRDs()
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
	apiServer.cfg = cfg
	if apiServer.client, err = client.New(cfg, client.Options{Scheme: ipamtest.Scheme()}); err != nil {
		fmt.Fprintf(os.Stderr, "client: %v\n", err)
		return 1
	}
	return m.Run()
}
