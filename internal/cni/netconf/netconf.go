// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package netconf

import (
	"encoding/json"

	"github.com/containernetworking/cni/pkg/types"

	"github.com/spiderpool-go/spiderpool/internal/agentapi"
)

// PluginType is the value that "ipam.type" must have.
const PluginType = "spiderpool"

// Defaults Spiderpool v1.0.6 applies to an ipam block
// (docs/reference/interface.md §5.1).
const (
	// DefaultLogLevel is used when "ipam.log_level" is empty.
	DefaultLogLevel = "debug"
	// DefaultLogFilePath is used when "ipam.log_file_path" is empty or
	// outside its directory (see [Roots]).
	DefaultLogFilePath = "/var/log/spidernet/spiderpool.log"
	// DefaultUnixSocketPath is used when "ipam.ipam_unix_socket_path" is
	// empty or outside its directory: the agent's default socket.
	DefaultUnixSocketPath = agentapi.DefaultSocketPath
	// DefaultLogFileMaxSize replaces a negative "ipam.log_file_max_size" (MB).
	DefaultLogFileMaxSize = 100
	// DefaultLogFileMaxAge replaces a negative "ipam.log_file_max_age" (days).
	DefaultLogFileMaxAge = 30
	// DefaultLogFileMaxCount replaces a negative "ipam.log_file_max_count".
	DefaultLogFileMaxCount = 10
)

// SupportedVersions lists the cniVersion values the plugin accepts, oldest
// first. Spiderpool v1.0 stops at 1.0.0; we add 1.1.0 for GC and STATUS.
func SupportedVersions() []string {
	return []string{"0.3.0", "0.3.1", "0.4.0", "1.0.0", "1.1.0"}
}

// LogLevels lists the accepted "ipam.log_level" values (compared
// case-insensitively).
func LogLevels() []string {
	return []string{"debug", "info", "warn", "error", "fatal", "panic"}
}

// NetConf is the network configuration the runtime passes on stdin.
type NetConf struct {
	types.NetConf

	// IPAM is Spiderpool's ipam block. It shadows the embedded
	// types.NetConf.IPAM, which only knows "type".
	IPAM IPAMConfig `json:"ipam"`
}

// IPAMConfig is the "ipam" block of the spiderpool plugin
// (docs/reference/interface.md §5.1).
type IPAMConfig struct {
	// Type must be "spiderpool".
	Type string `json:"type"`
	// LogLevel is one of debug, info, warn, error, fatal, panic; Load
	// lower-cases it and defaults it to debug.
	LogLevel string `json:"log_level,omitempty"`
	// LogFilePath is the plugin's log file; Load defaults it and keeps it
	// under /var/log/spidernet (Roots).
	LogFilePath string `json:"log_file_path,omitempty"`
	// LogFileMaxSize is the rotation size in MB; 0 means the rotator's
	// default (100 MB).
	LogFileMaxSize int `json:"log_file_max_size,omitempty"`
	// LogFileMaxAge is the number of days to keep rotated files; 0 means
	// no age limit.
	LogFileMaxAge int `json:"log_file_max_age,omitempty"`
	// LogFileMaxCount is the number of rotated files to keep; 0 keeps all.
	LogFileMaxCount int `json:"log_file_max_count,omitempty"`
	// DefaultIPv4IPPool lists IPv4 pool names (shell wildcards allowed),
	// used by pool selection rule 5.
	DefaultIPv4IPPool []string `json:"default_ipv4_ippool,omitempty"`
	// DefaultIPv6IPPool lists IPv6 pool names (shell wildcards allowed).
	DefaultIPv6IPPool []string `json:"default_ipv6_ippool,omitempty"`
	// CleanGateway asks for no default route on this NIC.
	CleanGateway bool `json:"clean_gateway,omitempty"`
	// UnixSocketPath is the agent's socket; Load defaults it and keeps it
	// under /var/run/spidernet (Roots).
	UnixSocketPath string `json:"ipam_unix_socket_path,omitempty"`

	// Ignored says, one note per field, which paths Load replaced by their
	// default because they were outside Roots; not part of the JSON.
	Ignored []string `json:"-"`
}

// plainNetConf has NetConf's fields but none of its methods. As a value it
// also lacks the embedded *types.PluginConf MarshalJSON, which would
// otherwise be promoted and drop our ipam block.
type plainNetConf NetConf

// MarshalJSON encodes the whole configuration, including Spiderpool's ipam
// block. Without it, the MarshalJSON promoted from the embedded
// types.NetConf would encode only the standard fields.
func (n *NetConf) MarshalJSON() ([]byte, error) {
	return json.Marshal(plainNetConf(*n))
}
