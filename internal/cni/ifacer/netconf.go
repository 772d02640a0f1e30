// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package ifacer

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/containernetworking/cni/pkg/types"
	"github.com/containernetworking/cni/pkg/version"
	"github.com/vishvananda/netlink"
)

// PluginType is the "type" of the plugin in a network configuration.
const PluginType = "ifacer"

// DefaultBondName is the bond's name when the config gives none.
const DefaultBondName = "sp_bond0"

// Limits of the configuration.
const (
	maxVlanID   = 4094
	maxBondMode = 6
	maxIfName   = 15
)

// ErrInvalidConfig matches every error of [LoadNetConf]; the plugin
// reports it as code 7.
var ErrInvalidConfig = errors.New("invalid ifacer config")

// NetConf is the plugin's network configuration.
type NetConf struct {
	types.NetConf
	// Interfaces are the node's masters; at least one.
	Interfaces []string `json:"interfaces"`
	// VlanID, 1 to 4094, asks for a VLAN sub-interface; 0 for none.
	VlanID int `json:"vlanID,omitempty"`
	// Bond bonds two or more interfaces.
	Bond *BondConf `json:"bond,omitempty"`

	// BondOptions are Bond.Options parsed; not part of the JSON.
	BondOptions []BondOption `json:"-"`
}

// BondConf is the bond to make of the interfaces.
type BondConf struct {
	// Name defaults to sp_bond0.
	Name string `json:"name,omitempty"`
	// Mode is 0 (balance-rr) to 6 (balance-alb).
	Mode int `json:"mode"`
	// Options are "key=value" pairs separated by ";", such as
	// "miimon=100;xmit_hash_policy=layer3+4".
	Options string `json:"options,omitempty"`
}

// SupportedVersions lists the cniVersion values the plugin accepts.
func SupportedVersions() []string {
	return []string{"0.3.0", "0.3.1", "0.4.0", "1.0.0", "1.1.0"}
}

// LoadNetConf decodes and checks the plugin's stdin; every error names
// the field, the value and the fix, and matches [ErrInvalidConfig].
func LoadNetConf(stdin []byte) (*NetConf, error) {
	conf := &NetConf{}
	if err := json.Unmarshal(stdin, conf); err != nil {
		return nil, fmt.Errorf("%w: the config does not decode: %v", ErrInvalidConfig, err) //nolint:errorlint // one sentinel to match
	}
	if !slices.Contains(SupportedVersions(), conf.CNIVersion) {
		return nil, invalid("cniVersion", "%q is not supported; use one of %s", conf.CNIVersion, strings.Join(SupportedVersions(), ", "))
	}
	if conf.RawPrevResult != nil {
		if err := version.ParsePrevResult(&conf.NetConf); err != nil {
			return nil, invalid("prevResult", "does not decode: %v", err)
		}
	}
	if err := conf.check(); err != nil {
		return nil, err
	}
	return conf, nil
}

func invalid(field, format string, args ...any) error {
	return fmt.Errorf("%w: %q %s", ErrInvalidConfig, field, fmt.Sprintf(format, args...))
}

func (c *NetConf) check() error {
	if len(c.Interfaces) == 0 {
		return invalid("interfaces", "is empty; list the node interface(s) to use, e.g. [\"eth1\"]")
	}
	for i, name := range c.Interfaces {
		if !validIfName(name) {
			return invalid(fmt.Sprintf("interfaces[%d]", i), "%q is not an interface name (1-15 bytes, no '/', ':' or space)", name)
		}
	}
	if c.VlanID < 0 || c.VlanID > maxVlanID {
		return invalid("vlanID", "%d is out of range; use 1 to %d, or 0 for no VLAN", c.VlanID, maxVlanID)
	}
	if c.Bond == nil {
		return nil
	}
	if c.Bond.Name == "" {
		c.Bond.Name = DefaultBondName
	}
	if !validIfName(c.Bond.Name) {
		return invalid("bond.name", "%q is not an interface name (1-15 bytes, no '/', ':' or space)", c.Bond.Name)
	}
	if c.Bond.Mode < 0 || c.Bond.Mode > maxBondMode {
		return invalid("bond.mode", "%d is not a bonding mode; use 0 (balance-rr) to 6 (balance-alb)", c.Bond.Mode)
	}
	opts, err := ParseBondOptions(c.Bond.Options)
	c.BondOptions = opts
	return err
}

// validIfName applies the kernel's rules for interface names.
func validIfName(s string) bool {
	return s != "" && len(s) <= maxIfName && s != "." && s != ".." && !strings.ContainsAny(s, "/: \t\n\v\f\r\x00")
}

// VlanName is the VLAN sub-interface of master, "<master>.<id>".
func VlanName(master string, id int) string {
	return fmt.Sprintf("%s.%d", master, id)
}

// newBond returns the bond link the configuration describes.
func (c *NetConf) newBond() (*netlink.Bond, error) {
	bond := netlink.NewLinkBond(netlink.LinkAttrs{Name: c.Bond.Name})
	bond.Mode = netlink.BondMode(c.Bond.Mode)
	for _, o := range c.BondOptions {
		if err := o.apply(bond); err != nil {
			return nil, err
		}
	}
	return bond, nil
}
