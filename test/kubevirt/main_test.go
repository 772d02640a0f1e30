// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package kubevirt

import (
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
	os.Exit(utils.RunWithEnvtest(m, ipamtest.Scheme(), func(cfg *rest.Config) error {
		apiServer.cfg = cfg
		var err error
		apiServer.client, err = client.New(cfg, client.Options{Scheme: ipamtest.Scheme()})
		return err
	}, utils.KubevirtCRDs()...))
}
