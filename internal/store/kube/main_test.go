// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package kube_test

import (
	"os"
	"testing"

	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"

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
	os.Exit(utils.RunWithEnvtest(m, ipamtest.Scheme(), func(cfg *rest.Config) error {
		apiServer.cfg = cfg
		var err error
		apiServer.client, err = newClient()
		return err
	}))
}

// newClient returns a direct (cache-less) client with its own connections
// and the agent's client rate limits (QPS 50, burst 100).
func newClient() (client.Client, error) {
	cfg := rest.CopyConfig(apiServer.cfg)
	cfg.QPS, cfg.Burst = 50, 100
	return client.New(cfg, client.Options{Scheme: ipamtest.Scheme()})
}
