// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package controller_test

import (
	"errors"
	"fmt"
	"os"
	"testing"

	"github.com/go-logr/logr"
	"k8s.io/apimachinery/pkg/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/rest"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"

	ipamclaimsv1alpha1 "github.com/spiderpool-go/spiderpool/api/ipamclaims/v1alpha1"
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
	apiServer.scheme = runtime.NewScheme()
	if err := errors.Join(clientgoscheme.AddToScheme(apiServer.scheme), spiderpoolv2beta1.AddToScheme(apiServer.scheme),
		ipamclaimsv1alpha1.AddToScheme(apiServer.scheme)); err != nil {
		fmt.Fprintln(os.Stderr, "scheme:", err)
		return 1
	}
	return utils.RunWithEnvtest(m, apiServer.scheme, func(cfg *rest.Config) error {
		apiServer.cfg = cfg
		var err error
		apiServer.client, err = client.NewWithWatch(cfg, client.Options{Scheme: apiServer.scheme})
		return err
	})
}
