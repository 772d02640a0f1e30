// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package migrate

import (
	"os"
	"testing"

	"github.com/go-logr/logr"
	ctrl "sigs.k8s.io/controller-runtime"
)

// TestMain silences controller-runtime's logger; each test starts its own
// API server (newCluster).
func TestMain(m *testing.M) {
	ctrl.SetLogger(logr.Discard())
	os.Exit(m.Run())
}
