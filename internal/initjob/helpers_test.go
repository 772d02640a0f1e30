// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package initjob

import (
	"maps"
	"testing"

	"github.com/spiderpool-go/spiderpool/internal/config"
)

// env is an environment for config.ParseInitEnv.
type env map[string]string

// lookup is the environment's LookupFunc.
func (e env) lookup(name string) (string, bool) {
	v, ok := e[name]
	return v, ok
}

// with returns a copy of e with name/value pairs set.
func (e env) with(kv ...string) env {
	out := maps.Clone(e)
	for i := 0; i+1 < len(kv); i += 2 {
		out[kv[i]] = kv[i+1]
	}
	return out
}

// chartEnv is spiderpool-init's environment as the chart renders it with
// the coordinator, dual-stack default pools and subnets, and multus config
// read from cniDir.
func chartEnv(cniDir string) env {
	return env{
		config.EnvInitNamespace:                  "kube-system",
		config.EnvInitControllerName:             "spiderpool-controller",
		config.EnvInitAgentName:                  "spiderpool-agent",
		config.EnvInitCoordinatorName:            "default",
		config.EnvInitCoordinatorMode:            "auto",
		config.EnvInitCoordinatorPodCIDRType:     "auto",
		config.EnvInitCoordinatorTunePodRoutes:   "true",
		config.EnvInitCoordinatorHijackCIDR:      `["169.254.0.0/16"]`,
		config.EnvInitCoordinatorVethLinkAddress: "",
		config.EnvInitCoordinatorDetectGateway:   "false",
		config.EnvInitCoordinatorDetectConflict:  "false",
		config.EnvInitIPv4SubnetName:             "default-v4-subnet",
		config.EnvInitIPv4IPPoolName:             "default-v4-ippool",
		config.EnvInitIPv4IPPoolSubnet:           "172.18.0.0/16",
		config.EnvInitIPv4IPPoolIPRanges:         `["172.18.40.40-172.18.40.200","172.18.40.250"]`,
		config.EnvInitIPv4IPPoolGateway:          "172.18.0.1",
		config.EnvInitIPv6SubnetName:             "default-v6-subnet",
		config.EnvInitIPv6IPPoolName:             "default-v6-ippool",
		config.EnvInitIPv6IPPoolSubnet:           "fc00:f853:ccd:e793::/64",
		config.EnvInitIPv6IPPoolIPRanges:         `["fc00:f853:ccd:e793::40-fc00:f853:ccd:e793::200"]`,
		config.EnvInitIPv6IPPoolGateway:          "fc00:f853:ccd:e793::1",
		config.EnvInitEnableMultusConfig:         "true",
		config.EnvInitDefaultCNIName:             "",
		config.EnvInitDefaultCNINamespace:        "kube-system",
		config.EnvInitDefaultCNIDir:              cniDir,
		config.EnvInitMultusConfigMap:            "spiderpool-multus-entrypoint",
	}
}

// parse parses e, failing the test on error.
func (e env) parse(t *testing.T) config.InitEnv {
	t.Helper()
	got, err := config.ParseInitEnv(e.lookup)
	if err != nil {
		t.Fatalf("ParseInitEnv() error = %v", err)
	}
	return got
}
