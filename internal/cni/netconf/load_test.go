// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package netconf

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/containernetworking/cni/pkg/types"
	"github.com/google/go-cmp/cmp"
)

// defaultedIPAM is the ipam block Load returns for {"type":"spiderpool"}.
func defaultedIPAM() IPAMConfig {
	return IPAMConfig{
		Type:           PluginType,
		LogLevel:       DefaultLogLevel,
		LogFilePath:    DefaultLogFilePath,
		UnixSocketPath: DefaultUnixSocketPath,
	}
}

func TestLoadValid(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want *NetConf
	}{{
		name: "minimal gets defaults",
		in:   `{"cniVersion":"0.3.1","name":"macvlan-net","type":"macvlan","ipam":{"type":"spiderpool"}}`,
		want: &NetConf{
			NetConf: types.NetConf{CNIVersion: "0.3.1", Name: "macvlan-net", Type: "macvlan"},
			IPAM:    defaultedIPAM(),
		},
	}, {
		name: "every field",
		in: `{"cniVersion":"1.0.0","name":"n","type":"macvlan","master":"eth0","ipam":{
			"type":"spiderpool","log_level":"WARN","log_file_path":"/var/log/spidernet/sp.log",
			"log_file_max_size":50,"log_file_max_age":7,"log_file_max_count":3,
			"default_ipv4_ippool":["v4-a","v4-*"],"default_ipv6_ippool":["v6-[ab]"],
			"clean_gateway":true,"ipam_unix_socket_path":"/var/run/spidernet/sp.sock"}}`,
		want: &NetConf{
			NetConf: types.NetConf{CNIVersion: "1.0.0", Name: "n", Type: "macvlan"},
			IPAM: IPAMConfig{
				Type: PluginType, LogLevel: "warn", LogFilePath: "/var/log/spidernet/sp.log",
				LogFileMaxSize: 50, LogFileMaxAge: 7, LogFileMaxCount: 3,
				DefaultIPv4IPPool: []string{"v4-a", "v4-*"}, DefaultIPv6IPPool: []string{"v6-[ab]"},
				CleanGateway: true, UnixSocketPath: "/var/run/spidernet/sp.sock",
			},
		},
	}, {
		name: "cniVersion 1.1.0 is an extension over Spiderpool",
		in:   `{"cniVersion":"1.1.0","ipam":{"type":"spiderpool","log_level":"Error"}}`,
		want: &NetConf{
			NetConf: types.NetConf{CNIVersion: "1.1.0"},
			IPAM:    func() IPAMConfig { c := defaultedIPAM(); c.LogLevel = "error"; return c }(),
		},
	}, {
		name: "negative rotation limits fall back like Spiderpool",
		in: `{"cniVersion":"0.4.0","ipam":{"type":"spiderpool",
			"log_file_max_size":-1,"log_file_max_age":-5,"log_file_max_count":-9}}`,
		want: &NetConf{
			NetConf: types.NetConf{CNIVersion: "0.4.0"},
			IPAM: func() IPAMConfig {
				c := defaultedIPAM()
				c.LogFileMaxSize, c.LogFileMaxAge, c.LogFileMaxCount = 100, 30, 10
				return c
			}(),
		},
	}, {
		name: "GC valid attachments are kept",
		in: `{"cniVersion":"1.1.0","ipam":{"type":"spiderpool"},
			"cni.dev/valid-attachments":[{"containerID":"c1","ifname":"eth0"}]}`,
		want: &NetConf{
			NetConf: types.NetConf{CNIVersion: "1.1.0",
				ValidAttachments: []types.GCAttachment{{ContainerID: "c1", IfName: "eth0"}}},
			IPAM: defaultedIPAM(),
		},
	}}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Load([]byte(tc.in))
			if err != nil {
				t.Fatalf("Load() error = %v", err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("Load() mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestLoadAllSupportedVersions(t *testing.T) {
	for _, v := range SupportedVersions() {
		in := `{"cniVersion":"` + v + `","ipam":{"type":"spiderpool"}}`
		if _, err := Load([]byte(in)); err != nil {
			t.Errorf("Load(cniVersion %s) error = %v", v, err)
		}
	}
}

func TestLoadInvalid(t *testing.T) {
	tests := []struct {
		name      string
		in        string
		wantField string
		wantMsg   []string // substrings of the message
	}{
		{"not JSON", `{`, "", []string{"the config is not a valid JSON object"}},
		{"JSON array", `[]`, "", []string{"the config is not a valid JSON object"}},
		{"missing cniVersion", `{"ipam":{"type":"spiderpool"}}`, "cniVersion", []string{"missing", "1.1.0"}},
		{"old cniVersion", `{"cniVersion":"0.2.0","ipam":{"type":"spiderpool"}}`, "cniVersion",
			[]string{`"0.2.0" is not supported`, "0.3.0, 0.3.1, 0.4.0, 1.0.0, 1.1.0"}},
		{"cniVersion as number", `{"cniVersion":1,"ipam":{"type":"spiderpool"}}`, "cniVersion",
			[]string{"JSON number", "a string"}},
		{"missing ipam", `{"cniVersion":"1.0.0"}`, "ipam", []string{"missing", `"type": "spiderpool"`}},
		{"null ipam", `{"cniVersion":"1.0.0","ipam":null}`, "ipam", []string{"missing"}},
		{"ipam not an object", `{"cniVersion":"1.0.0","ipam":"spiderpool"}`, "ipam", []string{"JSON object"}},
		{"ipam without type", `{"cniVersion":"1.0.0","ipam":{}}`, "ipam.type", []string{"missing", `"spiderpool"`}},
		{"other ipam type", `{"cniVersion":"1.0.0","ipam":{"type":"host-local"}}`, "ipam.type",
			[]string{`"host-local"`, `only handles "spiderpool"`}},
		{"bad log level", `{"cniVersion":"1.0.0","ipam":{"type":"spiderpool","log_level":"verbose"}}`,
			"ipam.log_level", []string{`"verbose"`, "debug, info, warn, error, fatal, panic"}},
		{"max size as string (as Spiderpool docs show)",
			`{"cniVersion":"1.0.0","ipam":{"type":"spiderpool","log_file_max_size":"100"}}`,
			"ipam.log_file_max_size", []string{"JSON string", "whole number, unquoted"}},
		{"fractional max age", `{"cniVersion":"1.0.0","ipam":{"type":"spiderpool","log_file_max_age":1.5}}`,
			"ipam.log_file_max_age", []string{"whole number"}},
		{"clean_gateway as string", `{"cniVersion":"1.0.0","ipam":{"type":"spiderpool","clean_gateway":"true"}}`,
			"ipam.clean_gateway", []string{"true or false, unquoted"}},
		{"pool list as string", `{"cniVersion":"1.0.0","ipam":{"type":"spiderpool","default_ipv4_ippool":"a"}}`,
			"ipam.default_ipv4_ippool", []string{"JSON array"}},
		{"empty pool name", `{"cniVersion":"1.0.0","ipam":{"type":"spiderpool","default_ipv4_ippool":["a",""]}}`,
			"ipam.default_ipv4_ippool[1]", []string{"empty"}},
		{"bad wildcard", `{"cniVersion":"1.0.0","ipam":{"type":"spiderpool","default_ipv6_ippool":["v6-["]}}`,
			"ipam.default_ipv6_ippool[0]", []string{`"v6-["`, "wildcard"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Load([]byte(tc.in))
			assertConfigError(t, err, tc.wantField, tc.wantMsg)
		})
	}
}

func assertConfigError(t *testing.T, err error, wantField string, wantMsg []string) {
	t.Helper()
	if !errors.Is(err, ErrInvalidConfig) {
		t.Fatalf("Load() error = %v, want one matching ErrInvalidConfig", err)
	}
	var cerr *ConfigError
	if !errors.As(err, &cerr) {
		t.Fatalf("Load() error = %T, want *ConfigError", err)
	}
	if cerr.Field != wantField {
		t.Errorf("Field = %q, want %q", cerr.Field, wantField)
	}
	if wantField != "" && !strings.Contains(err.Error(), `"`+wantField+`"`) {
		t.Errorf("message %q does not name field %q", err, wantField)
	}
	for _, s := range wantMsg {
		if !strings.Contains(err.Error(), s) {
			t.Errorf("message %q does not contain %q", err, s)
		}
	}
}

func TestConfigErrorUnwrapsDecodeError(t *testing.T) {
	_, err := Load([]byte(`{"cniVersion":`))
	var syntaxErr *json.SyntaxError
	if !errors.As(err, &syntaxErr) {
		t.Errorf("Load() error = %v, want it to wrap *json.SyntaxError", err)
	}
}

func TestMarshalKeepsIPAM(t *testing.T) {
	in := `{"cniVersion":"1.0.0","name":"n","ipam":{"type":"spiderpool","clean_gateway":true,
		"default_ipv4_ippool":["a"]}}`
	conf, err := Load([]byte(in))
	if err != nil {
		t.Fatalf("Load() error = %v", err)
	}
	out, err := json.Marshal(conf)
	if err != nil {
		t.Fatalf("Marshal() error = %v", err)
	}
	again, err := Load(out)
	if err != nil {
		t.Fatalf("Load(Marshal()) error = %v; marshalled %s", err, out)
	}
	if diff := cmp.Diff(conf, again); diff != "" {
		t.Errorf("round trip mismatch (-first +second):\n%s", diff)
	}
}
