// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package e2e

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
	"github.com/spiderpool-go/spiderpool/test/lab"
)

// checkDefaultMultusConfig: the chart's spiderpool-init created the
// SpiderMultusConfig of the node's default CNI (docs/init.md): named after
// the network of the node's configuration, of its plugin type, on its
// master, with the coordinator off.
func checkDefaultMultusConfig(t *testing.T, ctx context.Context, l *lab.Lab, c client.Client) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(l.Nodes[0].CNIConfDir(), "10-default.conflist"))
	if err != nil {
		t.Fatalf("node CNI configuration: %v", err)
	}
	var conf struct {
		Name    string `json:"name"`
		Plugins []struct {
			Type   string `json:"type"`
			Master string `json:"master"`
		} `json:"plugins"`
	}
	if err := json.Unmarshal(data, &conf); err != nil || len(conf.Plugins) == 0 {
		t.Fatalf("node CNI configuration %s: %v", data, err)
	}
	smc := &spiderpoolv2beta1.SpiderMultusConfig{}
	if err := c.Get(ctx, client.ObjectKey{Namespace: lab.ReleaseNamespace, Name: conf.Name}, smc); err != nil {
		t.Fatalf("default SpiderMultusConfig %s/%s: %v", lab.ReleaseNamespace, conf.Name, err)
	}
	main := conf.Plugins[0]
	if ptr.Deref(smc.Spec.CNIType, "") != main.Type || ptr.Deref(smc.Spec.EnableCoordinator, true) {
		t.Errorf("default SpiderMultusConfig: cniType %q (want %s), enableCoordinator %v (want false)",
			ptr.Deref(smc.Spec.CNIType, ""), main.Type, ptr.Deref(smc.Spec.EnableCoordinator, true))
	}
	if main.Type == spiderpoolv2beta1.CNITypeMacvlan && (smc.Spec.Macvlan == nil || !slices.Equal(smc.Spec.Macvlan.Master, []string{main.Master})) {
		t.Errorf("default SpiderMultusConfig macvlan %+v, want master %s", smc.Spec.Macvlan, main.Master)
	}
}
