// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package ctl

import (
	"flag"
	"fmt"
	"os"
	"testing"

	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/spiderpool-go/spiderpool/test/utils"
)

// apiServer is the envtest API server the integration tests share: real
// CRDs, no kubelet, no controllers. The tests run one after the other and
// each removes what it created, since "check" looks at the whole cluster.
var apiServer struct {
	cfg    *rest.Config
	client client.Client
}

func TestMain(m *testing.M) {
	flag.Parse()
	if f := flag.Lookup("test.fuzz"); f != nil && f.Value.String() != "" {
		os.Exit(m.Run()) // the fuzz targets are pure: no API server per fuzz worker
	}
	scheme, err := Scheme()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	os.Exit(utils.RunWithEnvtest(m, scheme, func(cfg *rest.Config) error {
		apiServer.cfg = cfg
		apiServer.client, err = client.New(cfg, client.Options{Scheme: scheme})
		return err
	}))
}
