// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package netconf

import (
	"encoding/json"
	"fmt"
	"path"
	"slices"
	"strings"
)

// Load is [LoadConfined] with [DefaultRoots].
func Load(stdin []byte) (*NetConf, error) {
	return LoadConfined(stdin, DefaultRoots())
}

// LoadConfined decodes the plugin's stdin, applies Spiderpool's defaults,
// validates the result and keeps the log file and the socket inside roots
// (a path outside is replaced by the default and noted in
// IPAMConfig.Ignored). Every error it returns is a [*ConfigError] matching
// [ErrInvalidConfig].
func LoadConfined(stdin []byte, roots Roots) (*NetConf, error) {
	conf := &NetConf{}
	if err := json.Unmarshal(stdin, conf); err != nil {
		return nil, decodeError(err)
	}
	if err := checkIPAMPresent(stdin); err != nil {
		return nil, err
	}
	if err := checkVersion(conf.CNIVersion); err != nil {
		return nil, err
	}
	if err := conf.IPAM.normalize(); err != nil {
		return nil, err
	}
	conf.IPAM.confine(roots)
	return conf, nil
}

// checkIPAMPresent tells a missing "ipam" block apart from one without a
// type, so each gets its own fix.
func checkIPAMPresent(stdin []byte) error {
	var probe struct {
		IPAM *json.RawMessage `json:"ipam"`
	}
	// The document already decoded once, so this cannot fail.
	if err := json.Unmarshal(stdin, &probe); err != nil {
		return decodeError(err)
	}
	if probe.IPAM == nil {
		return &ConfigError{Field: "ipam", Reason: fmt.Sprintf(
			"is missing; add \"ipam\": {\"type\": %q}", PluginType)}
	}
	return nil
}

func checkVersion(v string) error {
	supported := SupportedVersions()
	if slices.Contains(supported, v) {
		return nil
	}
	list := strings.Join(supported, ", ")
	if v == "" {
		return &ConfigError{Field: "cniVersion", Reason: "is missing; set it to one of " + list}
	}
	return &ConfigError{Field: "cniVersion", Reason: fmt.Sprintf(
		"%q is not supported; use one of %s", v, list)}
}

// normalize validates the ipam block and fills in Spiderpool's defaults.
func (c *IPAMConfig) normalize() error {
	if err := c.checkType(); err != nil {
		return err
	}
	if err := c.normalizeLogLevel(); err != nil {
		return err
	}
	if err := checkPools("ipam.default_ipv4_ippool", c.DefaultIPv4IPPool); err != nil {
		return err
	}
	if err := checkPools("ipam.default_ipv6_ippool", c.DefaultIPv6IPPool); err != nil {
		return err
	}
	c.applyDefaults()
	return nil
}

func (c *IPAMConfig) checkType() error {
	switch c.Type {
	case PluginType:
		return nil
	case "":
		return &ConfigError{Field: "ipam.type", Reason: fmt.Sprintf("is missing; set it to %q", PluginType)}
	default:
		return &ConfigError{Field: "ipam.type", Reason: fmt.Sprintf(
			"is %q; this plugin only handles %q", c.Type, PluginType)}
	}
}

func (c *IPAMConfig) normalizeLogLevel() error {
	if c.LogLevel == "" {
		c.LogLevel = DefaultLogLevel
		return nil
	}
	level := strings.ToLower(c.LogLevel)
	if !slices.Contains(LogLevels(), level) {
		return &ConfigError{Field: "ipam.log_level", Reason: fmt.Sprintf(
			"%q is not a log level; use one of %s (any case)", c.LogLevel, strings.Join(LogLevels(), ", "))}
	}
	c.LogLevel = level
	return nil
}

// checkPools rejects empty names and malformed shell patterns; pool names
// may use *, ? and [...] as in Go's path.Match.
func checkPools(field string, names []string) error {
	for i, name := range names {
		at := fmt.Sprintf("%s[%d]", field, i)
		if name == "" {
			return &ConfigError{Field: at, Reason: "is empty; give a pool name or a wildcard such as \"pool-*\""}
		}
		if _, err := path.Match(name, ""); err != nil {
			return &ConfigError{Field: at, Reason: fmt.Sprintf(
				"%q is not a valid wildcard pattern; close every '[' or escape it", name), Err: err}
		}
	}
	return nil
}

// applyDefaults maps negative rotation limits to Spiderpool's fallbacks,
// as Spiderpool does; confine fills in the paths.
func (c *IPAMConfig) applyDefaults() {
	if c.LogFileMaxSize < 0 {
		c.LogFileMaxSize = DefaultLogFileMaxSize
	}
	if c.LogFileMaxAge < 0 {
		c.LogFileMaxAge = DefaultLogFileMaxAge
	}
	if c.LogFileMaxCount < 0 {
		c.LogFileMaxCount = DefaultLogFileMaxCount
	}
}
