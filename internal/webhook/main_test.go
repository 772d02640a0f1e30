// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package webhook_test

import (
	"fmt"
	"os"
	"sync"
	"testing"

	"github.com/spiderpool-go/spiderpool/internal/config"
	"github.com/spiderpool-go/spiderpool/internal/webhook"
)

// allOn is the chart's setup with deletion protection and the Pod webhook
// on, the latter for every namespace but injectExcluded (and kube-system,
// the controller's).
var allOn = webhook.Options{EnableIPv4: true, EnableIPv6: true, EnableSpiderSubnet: true,
	EnableValidatingResourcesDeletedWebhook: true, EnableCoordinator: true, EnableMultusConfig: true,
	PodResourceInject: config.PodResourceInject{Enabled: true, NamespacesExclude: []string{injectExcluded}}}

// shared is the environment of the tests that use allOn, started by the
// first of them and stopped by TestMain, so that the unit tests of the
// package run without an API server.
var shared struct {
	once sync.Once
	env  *testEnv
	err  error
}

// sharedEnv returns the allOn environment, starting it if needed.
func sharedEnv(t *testing.T) *testEnv {
	t.Helper()
	shared.once.Do(func() { shared.env, shared.err = startEnv(allOn) })
	if shared.err != nil {
		t.Fatalf("start envtest: %v", shared.err)
	}
	return shared.env
}

func TestMain(m *testing.M) {
	code := m.Run()
	if shared.env != nil {
		if err := shared.env.stop(); err != nil {
			fmt.Fprintf(os.Stderr, "stop envtest: %v\n", err)
		}
	}
	os.Exit(code)
}
