// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package coordinatorstatus_test

import (
	"errors"
	"fmt"
	"os"
	"testing"

	"k8s.io/apimachinery/pkg/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"sigs.k8s.io/controller-runtime/pkg/client"

	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
	"github.com/spiderpool-go/spiderpool/test/utils"
)

// api is the envtest API server with Spiderpool's CRDs and stand-ins for
// Calico's IPPool and Cilium's CiliumPodIPPool.
var api client.Client

func TestMain(m *testing.M) {
	os.Exit(runMain(m))
}

func runMain(m *testing.M) int {
	scheme := runtime.NewScheme()
	if err := errors.Join(clientgoscheme.AddToScheme(scheme), spiderpoolv2beta1.AddToScheme(scheme)); err != nil {
		fmt.Fprintln(os.Stderr, "scheme:", err)
		return 1
	}
	env, err := utils.NewEnvtest(scheme, "internal/coordinatorstatus/testdata/crds")
	if err != nil {
		fmt.Fprintln(os.Stderr, "envtest:", err)
		return 1
	}
	cfg, err := env.Start()
	if err != nil {
		fmt.Fprintln(os.Stderr, "start envtest:", err)
		return 1
	}
	defer func() { _ = env.Stop() }()
	if api, err = client.New(cfg, client.Options{Scheme: scheme}); err != nil {
		fmt.Fprintln(os.Stderr, "client:", err)
		return 1
	}
	return m.Run()
}
