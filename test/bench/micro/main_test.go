// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package micro_test

import (
	"flag"
	"os"
	"testing"

	"github.com/go-logr/logr"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/log"

	"github.com/spiderpool-go/spiderpool/internal/ipam/ipamtest"
	"github.com/spiderpool-go/spiderpool/test/utils"
)

// apiServer is the envtest API server of the contention benchmark; its
// config is nil when no benchmark runs.
var apiServer struct { //nolint:gochecknoglobals // one API server per test binary, set in TestMain
	cfg    *rest.Config
	client client.Client
}

func TestMain(m *testing.M) {
	flag.Parse()
	log.SetLogger(logr.Discard())
	if f := flag.Lookup("test.bench"); f == nil || f.Value.String() == "" {
		os.Exit(m.Run())
	}
	os.Exit(utils.RunWithEnvtest(m, ipamtest.Scheme(), func(cfg *rest.Config) error {
		apiServer.cfg = cfg
		var err error
		apiServer.client, err = newClient()
		return err
	}))
}

// newClient returns a direct client with its own connections and the
// agent's client rate limits (QPS 50, burst 100), as an agent has.
func newClient() (client.Client, error) {
	cfg := rest.CopyConfig(apiServer.cfg)
	cfg.QPS, cfg.Burst = 50, 100
	return client.New(cfg, client.Options{Scheme: ipamtest.Scheme()})
}
