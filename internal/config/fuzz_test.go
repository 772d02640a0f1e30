// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package config

import (
	"errors"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"sigs.k8s.io/yaml"
)

// FuzzParseConfigMap checks that ParseConfigMap never panics, fails only with
// ErrInvalidConfigMap, and that a parsed ConfigMap marshalled back to YAML
// parses to the same value.
func FuzzParseConfigMap(f *testing.F) {
	for _, s := range []string{
		chartConfYML, "", "{}", "- a", "enableIPv4: yes", "clusterSubnetAutoPoolDefaultRedundantIPNumber: 4",
		"podResourceInject: {namespacesExclude: [1, true, null]}", "enableIPv4: true\nenableIPv4: false",
		"ipamUnixSocketPath: 1e3", "a: &x 1\nb: *x", "? [a]\n: b",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		got, err := ParseConfigMap(data)
		if err != nil {
			if !errors.Is(err, ErrInvalidConfigMap) {
				t.Fatalf("ParseConfigMap(%q) error = %v, want ErrInvalidConfigMap", data, err)
			}
			return
		}
		if got.IPAMUnixSocketPath == "" {
			t.Fatalf("ParseConfigMap(%q) left the socket path empty", data)
		}
		out, err := yaml.Marshal(got)
		if err != nil {
			t.Fatalf("yaml.Marshal(%+v) error = %v", got, err)
		}
		again, err := ParseConfigMap(out)
		if err != nil {
			t.Fatalf("ParseConfigMap(Marshal(ParseConfigMap(%q))) = ParseConfigMap(%q) error = %v", data, out, err)
		}
		if diff := cmp.Diff(got, again); diff != "" {
			t.Fatalf("round trip of %q via %q mismatch (-first +second):\n%s", data, out, diff)
		}
	})
}

// fuzzEnv turns a fuzz input into an environment over names: each line is
// "i=value", where i picks names[i % len(names)], or "NAME=value".
func fuzzEnv(in string, names []string) env {
	e := env{}
	for line := range strings.SplitSeq(in, "\n") {
		k, v, _ := strings.Cut(line, "=")
		if i, err := strconv.Atoi(k); err == nil && i >= 0 {
			k = names[i%len(names)]
		}
		e[k] = v
	}
	return e
}

// fuzzEnvParser checks that parse never panics, is deterministic, and fails
// only with *EnvError problems that name a variable of names.
func fuzzEnvParser[T any](f *testing.F, names []string, parse func(LookupFunc) (T, error), seeds ...string) {
	for _, s := range seeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		e := fuzzEnv(in, names)
		got, err := parse(e.lookup)
		again, err2 := parse(e.lookup)
		if diff := cmp.Diff(got, again); diff != "" || (err == nil) != (err2 == nil) {
			t.Fatalf("parse is not deterministic for %q: %s", in, diff)
		}
		for _, leaf := range leaves(err) {
			var ee *EnvError
			if !errors.As(leaf, &ee) || !slices.Contains(names, ee.Name) {
				t.Fatalf("problem %v (%T) is not an *EnvError for a known variable", leaf, leaf)
			}
			if !errors.Is(ee, ErrMissingEnv) && !errors.Is(ee, ErrInvalidEnv) {
				t.Fatalf("problem %v wraps neither sentinel", leaf)
			}
		}
	})
}

// names returns the keys of the given environments, sorted.
func names(envs ...env) []string {
	var out []string
	for _, e := range envs {
		for k := range e {
			if !slices.Contains(out, k) {
				out = append(out, k)
			}
		}
	}
	slices.Sort(out)
	return out
}

// agentAll sets every agent variable.
var agentAll = agentRequired.with(EnvLogLevel, "debug", EnvEnabledMetric, "true", EnvEnabledDebugMetric, "true",
	EnvEnabledRDMAMetric, "true", EnvHealthPort, "1", EnvMetricHTTPPort, "2", EnvGopsListenPort, "3",
	EnvPyroscopeAddress, "p", EnvEnabledReleaseConflictIPs, "false", EnvIPPoolMaxAllocated, "4",
	EnvWaitSubnetPoolTime, "5", EnvWaitSubnetPoolMaxRetries, "6", EnvMultusClusterNetwork, "a/b",
	EnvGitCommitVersion, "c", EnvGitCommitTime, "t", EnvVersion, "v")

func FuzzParseAgentEnv(f *testing.F) {
	all := names(agentAll)
	fuzzEnvParser(f, all, ParseAgentEnv, "", "0=x\n1=2", "SPIDERPOOL_HEALTH_PORT=99999\nSPIDERPOOL_NODE_NAME= n ",
		"SPIDERPOOL_POD_NAME=a\nSPIDERPOOL_POD_NAMESPACE=b\nSPIDERPOOL_NODE_NAME=c\nSPIDERPOOL_LOG_LEVEL=Panic")
}

func FuzzParseControllerEnv(f *testing.F) {
	all := append(names(controllerRequired, controllerDefaultsEnv()), EnvCoordinatorDefaultName, EnvCoordinatorDeafultName)
	fuzzEnvParser(f, all, ParseControllerEnv, "", "3=-1\n4=", "SPIDERPOOL_POD_NAME=a\nSPIDERPOOL_POD_NAMESPACE=b\nSPIDERPOOL_LEADER_DURATION=9223372036")
}

func FuzzParseInitEnv(f *testing.F) {
	fuzzEnvParser(f, names(initChart), ParseInitEnv, "", "1=\"\"\n2=[a,b]",
		"SPIDERPOOL_NAMESPACE=a\nSPIDERPOOL_CONTROLLER_NAME=b\nSPIDERPOOL_AGENT_NAME=c\nSPIDERPOOL_INIT_ENABLE_MULTUS_CONFIG=t\nSPIDERPOOL_INIT_DEFAULT_IPV4_IPPOOL_NAME=p\nSPIDERPOOL_INIT_DEFAULT_IPV4_IPPOOL_SUBNET=10.0.0.0/8\nSPIDERPOOL_INIT_DEFAULT_IPV4_IPPOOL_IPRANGES=[10.0.0.1-10.0.0.9]")
}
