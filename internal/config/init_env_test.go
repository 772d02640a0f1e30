// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package config

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/spiderpool-go/spiderpool/internal/allocator"
)

// initRequired is the smallest environment spiderpool-init accepts.
var initRequired = env{
	EnvInitNamespace:          "kube-system",
	EnvInitControllerName:     "spiderpool-controller",
	EnvInitAgentName:          "spiderpool-agent",
	EnvInitEnableMultusConfig: "true",
}

// initChart is spiderpool-init's environment as the chart renders it with a
// default coordinator and dual-stack default pools.
var initChart = initRequired.with(
	EnvInitCoordinatorName, "default",
	EnvInitCoordinatorMode, "auto",
	EnvInitCoordinatorPodCIDRType, "auto",
	EnvInitCoordinatorTunePodRoutes, "true",
	EnvInitCoordinatorHijackCIDR, `["169.254.0.0/16"]`,
	EnvInitCoordinatorVethLinkAddress, "",
	EnvInitCoordinatorDetectGateway, "false",
	EnvInitCoordinatorDetectConflict, "false",
	EnvInitIPv4SubnetName, "default-v4-subnet",
	EnvInitIPv4IPPoolName, "default-v4-ippool",
	EnvInitIPv4IPPoolSubnet, "172.18.0.0/16",
	EnvInitIPv4IPPoolIPRanges, `["172.18.40.40-172.18.40.200","172.18.40.250"]`,
	EnvInitIPv4IPPoolGateway, "172.18.0.1",
	EnvInitIPv6SubnetName, "default-v6-subnet",
	EnvInitIPv6IPPoolName, "default-v6-ippool",
	EnvInitIPv6IPPoolSubnet, "fc00:f853:ccd:e793::/64",
	EnvInitIPv6IPPoolIPRanges, `["fc00:f853:ccd:e793::40-fc00:f853:ccd:e793::200"]`,
	EnvInitIPv6IPPoolGateway, "fc00:f853:ccd:e793::1",
	EnvInitDefaultCNIName, "",
	EnvInitDefaultCNINamespace, "kube-system",
	EnvInitDefaultCNIDir, "/etc/cni/net.d",
	EnvInitMultusConfigMap, "spiderpool-multus-entrypoint",
)

func TestParseInitEnv(t *testing.T) {
	base := InitEnv{
		Namespace: "kube-system", ControllerName: "spiderpool-controller", AgentName: "spiderpool-agent",
		EnableMultusConfig: true, ReadinessFile: DefaultReadinessFile,
	}
	tests := []struct {
		name string
		env  env
		want func(*InitEnv)
	}{
		{name: "required only: nothing to create", env: initRequired, want: func(*InitEnv) {}},
		{name: "chart", env: initChart, want: func(e *InitEnv) {
			e.Coordinator = &InitCoordinator{Name: "default", Mode: "auto", PodCIDRType: "auto", TunePodRoutes: true, HijackCIDR: []string{"169.254.0.0/16"}}
			e.IPv4 = &InitPool{SubnetName: "default-v4-subnet", IPPoolName: "default-v4-ippool", Subnet: "172.18.0.0/16",
				IPRanges: []string{"172.18.40.40-172.18.40.200", "172.18.40.250"}, Gateway: "172.18.0.1"}
			e.IPv6 = &InitPool{SubnetName: "default-v6-subnet", IPPoolName: "default-v6-ippool", Subnet: "fc00:f853:ccd:e793::/64",
				IPRanges: []string{"fc00:f853:ccd:e793::40-fc00:f853:ccd:e793::200"}, Gateway: "fc00:f853:ccd:e793::1"}
			e.DefaultCNINamespace, e.DefaultCNIDir, e.MultusConfigMap = "kube-system", "/etc/cni/net.d", "spiderpool-multus-entrypoint"
		}},
		{name: "quotes removed and values trimmed", env: initRequired.with(EnvInitNamespace, ` "spiderpool" `, EnvInitEnableMultusConfig, `"false"`),
			want: func(e *InitEnv) { e.Namespace, e.EnableMultusConfig = "spiderpool", false }},
		{name: "coordinator defaults", env: initRequired.with(EnvInitCoordinatorName, "c", EnvInitCoordinatorTunePodRoutes, "false"),
			want: func(e *InitEnv) { e.Coordinator = &InitCoordinator{Name: "c", Mode: "auto", HijackCIDR: []string{}} }},
		{name: "coordinator every field", env: initRequired.with(
			EnvInitCoordinatorName, "c", EnvInitCoordinatorMode, "underlay", EnvInitCoordinatorPodCIDRType, "calico",
			EnvInitCoordinatorTunePodRoutes, "1", EnvInitCoordinatorVethLinkAddress, "169.254.100.1",
			EnvInitCoordinatorDetectGateway, "true", EnvInitCoordinatorDetectConflict, "true",
			EnvInitCoordinatorHijackCIDR, `[\"10.96.0.0/12\", \"10.0.0.1\",fd00::/108 , fd00::1/64]`),
			want: func(e *InitEnv) {
				e.Coordinator = &InitCoordinator{Name: "c", Mode: "underlay", PodCIDRType: "calico", TunePodRoutes: true,
					HijackCIDR:      []string{"10.96.0.0/12", "10.0.0.1/32", "fd00::/108", "fd00::/64"},
					VethLinkAddress: "169.254.100.1", DetectGateway: true, DetectIPConflict: true}
			}},
		{name: "coordinator fields ignored without a name", env: initRequired.with(EnvInitCoordinatorTunePodRoutes, "bogus", EnvInitCoordinatorHijackCIDR, "bogus"),
			want: func(*InitEnv) {}},
		{name: "pool only, no subnet, no ranges", env: initRequired.with(EnvInitIPv4IPPoolName, "p4", EnvInitIPv4IPPoolSubnet, "10.6.0.0/16"),
			want: func(e *InitEnv) { e.IPv4 = &InitPool{IPPoolName: "p4", Subnet: "10.6.0.0/16"} }},
		{name: "pool fields ignored without a name", env: initRequired.with(EnvInitIPv6IPPoolSubnet, "bogus", EnvInitIPv6IPPoolGateway, "bogus"),
			want: func(*InitEnv) {}},
		{name: "readiness file and CNI name", env: initRequired.with(EnvInitReadinessFile, "/tmp/ready", EnvInitDefaultCNIName, "calico"),
			want: func(e *InitEnv) { e.ReadinessFile, e.DefaultCNIName = "/tmp/ready", "calico" }},
		{name: "same names across families are fine when the kinds differ", env: initRequired.with(
			EnvInitIPv4SubnetName, "x", EnvInitIPv4IPPoolSubnet, "10.0.0.0/8", EnvInitIPv6IPPoolName, "x", EnvInitIPv6IPPoolSubnet, "fd00::/8"),
			want: func(e *InitEnv) {
				e.IPv4 = &InitPool{SubnetName: "x", Subnet: "10.0.0.0/8"}
				e.IPv6 = &InitPool{IPPoolName: "x", Subnet: "fd00::/8"}
			}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			want := base
			tc.want(&want)
			got, err := ParseInitEnv(tc.env.lookup)
			if err != nil {
				t.Fatalf("ParseInitEnv() error = %v", err)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("ParseInitEnv() mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseInitEnvErrors(t *testing.T) {
	tests := []struct {
		name string
		env  env
		want []envProblem
	}{
		{name: "nothing set", env: env{}, want: []envProblem{
			missing(EnvInitNamespace), missing(EnvInitControllerName), missing(EnvInitAgentName), missing(EnvInitEnableMultusConfig)}},
		{name: "only quotes is empty", env: initRequired.with(EnvInitAgentName, `""`), want: []envProblem{missing(EnvInitAgentName)}},
		{name: "bad multus bool", env: initRequired.with(EnvInitEnableMultusConfig, "enabled"), want: []envProblem{invalid(EnvInitEnableMultusConfig)}},
		{name: "coordinator needs tunePodRoutes", env: initRequired.with(EnvInitCoordinatorName, "c"), want: []envProblem{missing(EnvInitCoordinatorTunePodRoutes)}},
		{name: "coordinator bad values", env: initChart.with(EnvInitCoordinatorDetectGateway, "maybe", EnvInitCoordinatorHijackCIDR, `["10.0.0.0/33","x"]`),
			want: []envProblem{invalid(EnvInitCoordinatorDetectGateway), invalid(EnvInitCoordinatorHijackCIDR), invalid(EnvInitCoordinatorHijackCIDR)}},
		{name: "named pool needs a subnet", env: initRequired.with(EnvInitIPv6SubnetName, "s6"), want: []envProblem{missing(EnvInitIPv6IPPoolSubnet)}},
		{name: "wrong family", env: initChart.with(EnvInitIPv4IPPoolSubnet, "fd00::/64", EnvInitIPv6IPPoolGateway, "10.0.0.1",
			EnvInitIPv4IPPoolIPRanges, `["fd00::1"]`),
			want: []envProblem{invalid(EnvInitIPv4IPPoolSubnet), invalid(EnvInitIPv6IPPoolGateway), invalid(EnvInitIPv4IPPoolIPRanges)}},
		{name: "non-canonical subnet", env: initChart.with(EnvInitIPv4IPPoolSubnet, "172.18.0.1/16"), want: []envProblem{invalid(EnvInitIPv4IPPoolSubnet)}},
		{name: "bad range", env: initChart.with(EnvInitIPv4IPPoolIPRanges, `["172.18.40.200-172.18.40.40"]`), want: []envProblem{invalid(EnvInitIPv4IPPoolIPRanges)}},
		{name: "gateway with zone", env: initChart.with(EnvInitIPv6IPPoolGateway, "fe80::1%eth0"), want: []envProblem{invalid(EnvInitIPv6IPPoolGateway)}},
		{name: "same subnet and pool names across families", env: initChart.with(EnvInitIPv6SubnetName, "default-v4-subnet", EnvInitIPv6IPPoolName, "default-v4-ippool"),
			want: []envProblem{invalid(EnvInitIPv6SubnetName), invalid(EnvInitIPv6IPPoolName)}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseInitEnv(tc.env.lookup)
			assertEnvProblems(t, err, tc.want...)
			if diff := cmp.Diff(InitEnv{}, got); diff != "" {
				t.Errorf("result on error is not zero (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseInitEnvKeepsParseCause(t *testing.T) {
	_, err := ParseInitEnv(initChart.with(EnvInitIPv4IPPoolSubnet, "172.18.0.1/16").lookup)
	if !errors.Is(err, allocator.ErrUnformattedCIDR) {
		t.Errorf("error = %v, want it to wrap allocator.ErrUnformattedCIDR", err)
	}
}
