// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package coordinator_test

import (
	"encoding/json"
	"errors"
	"net/netip"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/spiderpool-go/spiderpool/internal/agentapi"
	"github.com/spiderpool-go/spiderpool/internal/cni/coordinator"
)

const prevResult = `{"cniVersion":"1.0.0","interfaces":[{"name":"eth0","sandbox":"/var/run/netns/p"}],"ips":[{"address":"10.6.0.10/16","interface":0}]}`

// stdinWith returns a valid stdin with extra fields merged in.
func stdinWith(t *testing.T, extra map[string]any) []byte {
	t.Helper()
	doc := map[string]any{"cniVersion": "1.0.0", "name": "n", "type": "coordinator", "prevResult": json.RawMessage(prevResult)}
	for k, v := range extra {
		doc[k] = v
	}
	data, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func agentConfig() *agentapi.CoordinatorConfig {
	return &agentapi.CoordinatorConfig{
		Mode: "underlay", OverlayPodCIDR: []string{"10.244.0.0/16"}, ServiceCIDR: []string{"10.96.0.0/12", "fd00:96::/108"},
		HijackCIDR: []string{"169.254.0.0/16"}, PodMACPrefix: "0a:1b", TunePodRoutes: true, HostRuleTable: 500,
		PolicyRoutes: []agentapi.PolicyRoute{{Dst: "10.9.0.0/16", Gw: "10.6.0.1"}},
	}
}

func TestMergeAgentValues(t *testing.T) {
	nc, err := coordinator.LoadNetConf(stdinWith(t, nil))
	if err != nil {
		t.Fatalf("LoadNetConf: %v", err)
	}
	got, err := coordinator.Merge(agentConfig(), nc)
	if err != nil {
		t.Fatalf("Merge: %v", err)
	}
	want := &coordinator.Config{
		Mode: "underlay", OverlayPodCIDR: []netip.Prefix{netip.MustParsePrefix("10.244.0.0/16")},
		ServiceCIDR: []netip.Prefix{netip.MustParsePrefix("10.96.0.0/12"), netip.MustParsePrefix("fd00:96::/108")},
		HijackCIDR:  []netip.Prefix{netip.MustParsePrefix("169.254.0.0/16")}, MACPrefix: []byte{0x0a, 0x1b},
		TunePodRoutes: true, HostRuleTable: 500, VethMTU: 1500, PodCniNic: "eth0",
		PolicyRoutes: []coordinator.PolicyRoute{{Dst: netip.MustParsePrefix("10.9.0.0/16"), Gw: netip.MustParseAddr("10.6.0.1")}},
	}
	if diff := cmp.Diff(want, got, cmp.Comparer(func(a, b netip.Prefix) bool { return a == b }),
		cmp.Comparer(func(a, b netip.Addr) bool { return a == b })); diff != "" {
		t.Errorf("config (-want +got):\n%s", diff)
	}
}

func TestMergeOverrides(t *testing.T) {
	nc, err := coordinator.LoadNetConf(stdinWith(t, map[string]any{
		"mode": "disable", "serviceCIDR": []string{"10.97.0.0/16"}, "hijackCIDR": []string{"10.1.2.3"},
		"podMACPrefix": "02-00", "tunePodRoutes": false, "hostRuleTable": 600, "podRPFilter": -1, "txQueueLen": 2000,
		"vethLinkAddress": "169.254.100.1", "vethMTU": 9000, "podDefaultRouteNic": "net1", "podDefaultCniNic": "ens1",
	}))
	if err != nil {
		t.Fatalf("LoadNetConf: %v", err)
	}
	got, err := coordinator.Merge(agentConfig(), nc)
	if err != nil {
		t.Fatalf("Merge: %v", err)
	}
	if got.Mode != "disabled" || !got.Disabled() || got.ServiceCIDR[0].String() != "10.97.0.0/16" ||
		got.HijackCIDR[0].String() != "10.1.2.3/32" || got.MACPrefix[0] != 2 || got.TunePodRoutes ||
		got.HostRuleTable != 600 || got.RPFilter != -1 || got.TxQueueLen != 2000 || got.VethMTU != 9000 ||
		got.VethLinkAddress.String() != "169.254.100.1" || got.DefaultRouteNIC != "net1" || got.PodCniNic != "ens1" {
		t.Errorf("overrides not applied: %+v", got)
	}
	if n := len(got.HijackCIDRs()); n != 3 {
		t.Errorf("HijackCIDRs has %d entries, want overlay + service + hijack = 3", n)
	}
}

func TestBadConfigNamesTheField(t *testing.T) {
	tests := []struct {
		name  string
		extra map[string]any
		agent func(*agentapi.CoordinatorConfig)
		field string
		text  string
	}{
		{"unknown mode", map[string]any{"mode": "bridge"}, nil, "mode", `"bridge" is not a mode`},
		{"unknown mode from CR", nil, func(c *agentapi.CoordinatorConfig) { c.Mode = "hybrid" }, "mode", "SpiderCoordinator"},
		{"bad MAC prefix", map[string]any{"podMACPrefix": "zz:00"}, nil, "podMACPrefix", "two hex bytes"},
		{"multicast MAC prefix", map[string]any{"podMACPrefix": "01:00"}, nil, "podMACPrefix", "e.g. 00:00"},
		{"bad CIDR", map[string]any{"serviceCIDR": []string{"10.96.0.0/12", "10.96.0.0/33"}}, nil, "serviceCIDR[1]", "not a CIDR"},
		{"bad CIDR from CR", nil, func(c *agentapi.CoordinatorConfig) { c.OverlayPodCIDR = []string{"x"} }, "overlayPodCIDR[0]", "not a CIDR"},
		{"rp_filter out of range", map[string]any{"podRPFilter": 3}, nil, "podRPFilter", "3 is out of range"},
		{"negative txQueueLen", map[string]any{"txQueueLen": -1}, nil, "txQueueLen", "negative"},
		{"main table", map[string]any{"hostRuleTable": 254}, nil, "hostRuleTable", "kernel table"},
		{"IPv6 veth link address", map[string]any{"vethLinkAddress": "fe80::1"}, nil, "vethLinkAddress", "not an IPv4"},
		{"tiny MTU", map[string]any{"vethMTU": 1}, nil, "vethMTU", "68 to 65535"},
		{"policy route family", map[string]any{"policyRoutes": []map[string]string{{"dst": "10.0.0.0/8", "gw": "fd00::1"}}}, nil, "policyRoutes[0].gw", "family"},
		{"bad NIC name", map[string]any{"podDefaultRouteNic": "a/b"}, nil, "podDefaultRouteNic", "interface name"},
		{"wrong JSON type", map[string]any{"hostRuleTable": "500"}, nil, "hostRuleTable", "JSON string"},
		{"not chained", map[string]any{"prevResult": nil}, nil, "prevResult", "chained plugin"},
		{"old cniVersion", map[string]any{"cniVersion": "0.2.0"}, nil, "cniVersion", "not supported"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := loadAndMerge(t, tt.extra, tt.agent)
			var ce *coordinator.ConfigError
			if !errors.As(err, &ce) || !errors.Is(err, coordinator.ErrInvalidConfig) {
				t.Fatalf("got %v, want a *ConfigError", err)
			}
			if ce.Field != tt.field || !strings.Contains(err.Error(), tt.text) {
				t.Errorf("got %q (field %q), want field %q and %q", err, ce.Field, tt.field, tt.text)
			}
		})
	}
}

func loadAndMerge(t *testing.T, extra map[string]any, agent func(*agentapi.CoordinatorConfig)) error {
	t.Helper()
	stdin := stdinWith(t, extra)
	if v, ok := extra["prevResult"]; ok && v == nil {
		stdin = []byte(`{"cniVersion":"1.0.0","name":"n","type":"coordinator"}`)
	}
	nc, err := coordinator.LoadNetConf(stdin)
	if err != nil {
		return err
	}
	ac := agentConfig()
	if agent != nil {
		agent(ac)
	}
	_, err = coordinator.Merge(ac, nc)
	return err
}

func FuzzLoadNetConf(f *testing.F) {
	for _, s := range []string{
		`{"cniVersion":"1.0.0","type":"coordinator","prevResult":` + prevResult + `}`,
		`{"cniVersion":"1.1.0","type":"coordinator","mode":"underlay","podMACPrefix":"0a:1b","hijackCIDR":["1.2.3.4","fd00::/64"],"prevResult":` + prevResult + `}`,
		`{"cniVersion":"0.4.0","type":"coordinator","policyRoutes":[{"dst":"10.0.0.0/8","gw":"10.0.0.1"}],"prevResult":{"cniVersion":"0.4.0","ips":[]}}`,
		`{"type":"coordinator"}`, "", "{", "null", `{"podRPFilter":99999999999}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		nc, err := coordinator.LoadNetConf(data)
		if err != nil {
			if !errors.Is(err, coordinator.ErrInvalidConfig) {
				t.Fatalf("error %v does not match ErrInvalidConfig", err)
			}
			return
		}
		if nc.PrevResult == nil {
			t.Fatal("accepted a config without a prevResult")
		}
		if _, err := coordinator.Merge(nil, nc); err != nil {
			t.Fatalf("LoadNetConf accepted what Merge refuses: %v", err)
		}
	})
}
