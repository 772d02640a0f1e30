// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package bench

import (
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"

	"k8s.io/apimachinery/pkg/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"

	ipamclaimsv1alpha1 "github.com/spiderpool-go/spiderpool/api/ipamclaims/v1alpha1"
	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
	"github.com/spiderpool-go/spiderpool/test/lab"
)

// CNILogPath is where a node's spiderpool plugin logs during a benchmark:
// inside the plugin's log directory under the node's root (SPIDERPOOL_CNI_ROOT).
func CNILogPath(n lab.Node) string {
	return filepath.Join(n.RootFS(), "var", "log", "spidernet", "spiderpool.log")
}

// Network is lab.MacvlanSpiderpool with the plugin's log_file_path set to
// CNILogPath and log_level info, so that ADD and DEL durations are logged.
func Network(n lab.Node) ([]byte, error) {
	conf := map[string]any{
		"cniVersion": "1.1.0",
		"name":       "macvlan-eth0",
		"plugins": []any{map[string]any{
			"type": "macvlan", "master": "eth0", "mode": "bridge",
			"ipam": map[string]any{
				"type": "spiderpool", "ipam_unix_socket_path": n.AgentSocket(),
				"log_file_path": CNILogPath(n), "log_level": "info",
			},
		}},
	}
	return json.MarshalIndent(conf, "", "  ")
}

// Scheme returns a scheme with the Kubernetes built-in types and the
// Spider types, for the benchmark's client.
func Scheme() (*runtime.Scheme, error) {
	s := runtime.NewScheme()
	if err := errors.Join(clientgoscheme.AddToScheme(s), spiderpoolv2beta1.AddToScheme(s), ipamclaimsv1alpha1.AddToScheme(s)); err != nil {
		return nil, fmt.Errorf("scheme: %w", err)
	}
	return s, nil
}
