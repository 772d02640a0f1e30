// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package coordinator

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/containernetworking/cni/pkg/types"
	"github.com/containernetworking/cni/pkg/version"

	"github.com/spiderpool-go/spiderpool/internal/agentapi"
)

// PluginType is the "type" of the plugin in a network configuration.
const PluginType = "coordinator"

// NetConf is the plugin's network configuration
// (docs/reference/interface.md §6.1). Every field but PodDefaultCniNic
// overrides the SpiderCoordinator's value when set; see [Merge].
type NetConf struct {
	types.NetConf

	// Mode is auto, underlay, overlay, or disabled (also spelt disable).
	Mode string `json:"mode,omitempty"`
	// OverlayPodCIDR replaces the SpiderCoordinator's status.overlayPodCIDR.
	OverlayPodCIDR []string `json:"overlayPodCIDR,omitempty"`
	// ServiceCIDR replaces status.serviceCIDR.
	ServiceCIDR []string `json:"serviceCIDR,omitempty"`
	// HijackCIDR replaces spec.hijackCIDR; bare IPs are taken as /32, /128.
	HijackCIDR []string `json:"hijackCIDR,omitempty"`
	// PodMACPrefix is "xx:yy", the first two bytes of the pod NIC's MAC.
	PodMACPrefix string `json:"podMACPrefix,omitempty"`
	// PodDefaultRouteNIC keeps the main default route; Spiderpool's JSON
	// name, with its casing.
	PodDefaultRouteNIC string `json:"podDefaultRouteNic,omitempty"`
	// TunePodRoutes moves each extra NIC's routes into its own table.
	TunePodRoutes *bool `json:"tunePodRoutes,omitempty"`
	// HostRuleTable is the node's table of routes to pods.
	HostRuleTable *int64 `json:"hostRuleTable,omitempty"`
	// PodRPFilter is the pod's rp_filter: 0, 1, 2, or negative to leave
	// it alone.
	PodRPFilter *int32 `json:"podRPFilter,omitempty"`
	// TxQueueLen is set on the pod NIC when positive.
	TxQueueLen *int64 `json:"txQueueLen,omitempty"`
	// VethLinkAddress is an IPv4 address put on veth0 as a /32.
	VethLinkAddress string `json:"vethLinkAddress,omitempty"`
	// PolicyRoutes are extra routes of the pod (Spiderpool v1.2).
	PolicyRoutes []agentapi.PolicyRoute `json:"policyRoutes,omitempty"`
	// VethMTU is the MTU of the veth pair (Spiderpool v1.2); default 1500.
	VethMTU *int `json:"vethMTU,omitempty"`
	// PodDefaultCniNic is the pod's first NIC; default eth0.
	PodDefaultCniNic string `json:"podDefaultCniNic,omitempty"`
	// LogOptions is accepted for compatibility and not used: the plugin
	// reports through its CNI error (docs/compatibility.md).
	LogOptions json.RawMessage `json:"logOptions,omitempty"`
}

// Mode values; [ModeDisable] is the spelling Spiderpool's plugin knows,
// [ModeDisabled] the one of its CRD. Both pass prevResult through.
const (
	ModeAuto     = "auto"
	ModeUnderlay = "underlay"
	ModeOverlay  = "overlay"
	ModeDisabled = "disabled"
	ModeDisable  = "disable"
)

// Modes lists the accepted modes.
func Modes() []string {
	return []string{ModeAuto, ModeUnderlay, ModeOverlay, ModeDisabled, ModeDisable}
}

// SupportedVersions lists the cniVersion values the plugin accepts.
func SupportedVersions() []string {
	return []string{"0.3.0", "0.3.1", "0.4.0", "1.0.0", "1.1.0"}
}

// LoadNetConf decodes the plugin's stdin and checks it: the type, the
// cniVersion, a prevResult (the plugin is chained) and the shape of every
// override. Values are checked again after [Merge].
func LoadNetConf(stdin []byte) (*NetConf, error) {
	return loadNetConf(stdin, true)
}

// loadNetConf is LoadNetConf; DEL passes needPrev false, since the
// runtime has no prevResult for an attachment whose ADD failed.
func loadNetConf(stdin []byte, needPrev bool) (*NetConf, error) {
	conf := &NetConf{}
	if err := json.Unmarshal(stdin, conf); err != nil {
		return nil, decodeError(err)
	}
	if conf.Type != PluginType {
		return nil, netconfError("type", fmt.Sprintf("is %q; this plugin is %q", conf.Type, PluginType))
	}
	if !slices.Contains(SupportedVersions(), conf.CNIVersion) {
		return nil, netconfError("cniVersion", fmt.Sprintf("%q is not supported; use one of %s",
			conf.CNIVersion, strings.Join(SupportedVersions(), ", ")))
	}
	if conf.RawPrevResult == nil && needPrev {
		return nil, netconfError("prevResult", "is missing; coordinator is a chained plugin: list it after the main plugin (macvlan, sriov) in a conflist")
	}
	if err := parsePrevResult(conf); err != nil {
		return nil, err
	}
	if _, err := Merge(nil, conf); err != nil {
		return nil, err
	}
	return conf, nil
}

func netconfError(field, reason string) *ConfigError {
	return &ConfigError{Field: field, Source: sourceNetConf, Reason: reason}
}

// decodeError names the field of a JSON type error.
func decodeError(err error) *ConfigError {
	var typeErr *json.UnmarshalTypeError
	if errors.As(err, &typeErr) && typeErr.Field != "" {
		return &ConfigError{Field: strings.TrimPrefix(typeErr.Field, "NetConf."), Source: sourceNetConf,
			Reason: fmt.Sprintf("is a JSON %s but must be a %s", typeErr.Value, typeErr.Type), Err: err}
	}
	return &ConfigError{Reason: fmt.Sprintf("the config is not a valid JSON object: %v", err), Err: err}
}

func parsePrevResult(conf *NetConf) error {
	if conf.RawPrevResult == nil {
		return nil
	}
	if err := version.ParsePrevResult(&conf.NetConf); err != nil {
		return &ConfigError{Field: "prevResult", Source: sourceNetConf, Reason: "does not decode: " + err.Error(), Err: err}
	}
	return nil
}
