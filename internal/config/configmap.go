// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package config

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"

	"github.com/spiderpool-go/spiderpool/internal/agentapi"
)

// DefaultConfigMapPath is where the chart mounts conf.yml of the ConfigMap
// spiderpool-conf, and the default of the binaries' --config-path flag.
const DefaultConfigMapPath = "/tmp/spiderpool/config-map/conf.yml"

// DefaultIPAMUnixSocketPath is the socket the agent serves the IPAM API on
// when conf.yml leaves ipamUnixSocketPath empty: the plugin's default too.
const DefaultIPAMUnixSocketPath = agentapi.DefaultSocketPath

// Keys of conf.yml whose handling is more than a plain decode.
const (
	// KeyClusterSubnetDefaultFlexibleIPNumber is the documented spelling of the
	// auto-pool redundant-IP default, written by the chart. It wins over
	// KeyClusterSubnetAutoPoolDefaultRedundantIPNumber when both are set.
	KeyClusterSubnetDefaultFlexibleIPNumber = "clusterSubnetDefaultFlexibleIPNumber"
	// KeyClusterSubnetAutoPoolDefaultRedundantIPNumber is the spelling
	// Spiderpool v1.0's code reads (docs/reference/interface.md §10.1).
	KeyClusterSubnetAutoPoolDefaultRedundantIPNumber = "clusterSubnetAutoPoolDefaultRedundantIPNumber"
)

// ConfigMap is conf.yml of the ConfigMap spiderpool-conf
// (docs/reference/interface.md §4.1). The JSON tags are the conf.yml keys,
// so a ConfigMap marshalled with sigs.k8s.io/yaml is a valid conf.yml.
type ConfigMap struct { //nolint:revive // named after the Kubernetes ConfigMap spiderpool-conf; config.Map would say less
	// IPAMUnixSocketPath is the unix socket the agent listens on;
	// DefaultIPAMUnixSocketPath when absent or empty.
	IPAMUnixSocketPath string `json:"ipamUnixSocketPath"`
	// EnableIPv4 turns on IPv4 allocation.
	EnableIPv4 bool `json:"enableIPv4"`
	// EnableIPv6 turns on IPv6 allocation.
	EnableIPv6 bool `json:"enableIPv6"`
	// EnableStatefulSet lets StatefulSet pods keep their IP.
	EnableStatefulSet bool `json:"enableStatefulSet"`
	// EnableKubevirtStaticIP lets KubeVirt VMI pods keep their IP.
	EnableKubevirtStaticIP bool `json:"enableKubevirtStaticIP"`
	// EnableCleanOutdatedEndpoint lets the full GC scan delete outdated
	// SpiderEndpoints.
	EnableCleanOutdatedEndpoint bool `json:"enableCleanOutdatedEndpoint"`
	// EnableSpiderSubnet turns on SpiderSubnet.
	EnableSpiderSubnet bool `json:"enableSpiderSubnet"`
	// EnableAutoPoolForApplication turns on auto-created pools.
	EnableAutoPoolForApplication bool `json:"enableAutoPoolForApplication"`
	// EnableIPConflictDetection is passed to the plugin with every IP.
	EnableIPConflictDetection bool `json:"enableIPConflictDetection"`
	// EnableGatewayDetection is passed to the plugin with every IP.
	EnableGatewayDetection bool `json:"enableGatewayDetection"`
	// EnableValidatingResourcesDeletedWebhook blocks deleting pools and
	// subnets that still have allocated IPs.
	EnableValidatingResourcesDeletedWebhook bool `json:"enableValidatingResourcesDeletedWebhook"`
	// ClusterSubnetDefaultFlexibleIPNumber is the default number of redundant
	// IPs of an auto-created pool, read from either spelling (see the package
	// doc).
	ClusterSubnetDefaultFlexibleIPNumber int `json:"clusterSubnetDefaultFlexibleIPNumber"`
	// TuneSysctlConfig makes the agent set host sysctls at start-up.
	TuneSysctlConfig bool `json:"tuneSysctlConfig"`
	// PodResourceInject configures the Pod mutating webhook.
	PodResourceInject PodResourceInject `json:"podResourceInject"`
}

// PodResourceInject is the podResourceInject section of conf.yml.
type PodResourceInject struct {
	// Enabled registers the Pod mutating webhook.
	Enabled bool `json:"enabled"`
	// NamespacesExclude lists namespaces the webhook skips.
	NamespacesExclude []string `json:"namespacesExclude"`
	// NamespacesInclude lists the only namespaces the webhook handles, if any.
	NamespacesInclude []string `json:"namespacesInclude"`
}

// LoadConfigMap reads and parses the conf.yml at path (DefaultConfigMapPath in
// a pod). Errors name the file and, for a bad value, the key.
func LoadConfigMap(path string) (ConfigMap, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return ConfigMap{}, fmt.Errorf("read config map: %w", err)
	}
	cm, err := ParseConfigMap(data)
	if err != nil {
		return ConfigMap{}, fmt.Errorf("config map %s: %w", path, err)
	}
	return cm, nil
}

// ParseConfigMap parses the content of conf.yml. Absent keys keep their code
// defaults (false, 0, nil, DefaultIPAMUnixSocketPath); unknown keys are
// ignored.
func ParseConfigMap(data []byte) (ConfigMap, error) {
	top, err := topLevel(data)
	if err != nil {
		return ConfigMap{}, err
	}
	var (
		cm                  ConfigMap
		flexible, redundant *int
		inject              map[string]json.RawMessage
	)
	errs := decodeFields(top, "", []field{
		{"ipamUnixSocketPath", &cm.IPAMUnixSocketPath},
		{"enableIPv4", &cm.EnableIPv4},
		{"enableIPv6", &cm.EnableIPv6},
		{"enableStatefulSet", &cm.EnableStatefulSet},
		{"enableKubevirtStaticIP", &cm.EnableKubevirtStaticIP},
		{"enableCleanOutdatedEndpoint", &cm.EnableCleanOutdatedEndpoint},
		{"enableSpiderSubnet", &cm.EnableSpiderSubnet},
		{"enableAutoPoolForApplication", &cm.EnableAutoPoolForApplication},
		{"enableIPConflictDetection", &cm.EnableIPConflictDetection},
		{"enableGatewayDetection", &cm.EnableGatewayDetection},
		{"enableValidatingResourcesDeletedWebhook", &cm.EnableValidatingResourcesDeletedWebhook},
		{KeyClusterSubnetDefaultFlexibleIPNumber, &flexible},
		{KeyClusterSubnetAutoPoolDefaultRedundantIPNumber, &redundant},
		{"tuneSysctlConfig", &cm.TuneSysctlConfig},
		{"podResourceInject", &inject},
	})
	errs = append(errs, decodeFields(inject, "podResourceInject.", []field{
		{"enabled", &cm.PodResourceInject.Enabled},
		{"namespacesExclude", &cm.PodResourceInject.NamespacesExclude},
		{"namespacesInclude", &cm.PodResourceInject.NamespacesInclude},
	})...)
	if err := errors.Join(errs...); err != nil {
		return ConfigMap{}, err
	}
	cm.ClusterSubnetDefaultFlexibleIPNumber = firstSet(flexible, redundant)
	if cm.IPAMUnixSocketPath == "" {
		cm.IPAMUnixSocketPath = DefaultIPAMUnixSocketPath
	}
	return cm, nil
}

// firstSet returns the first non-nil value, or 0.
func firstSet(values ...*int) int {
	for _, v := range values {
		if v != nil {
			return *v
		}
	}
	return 0
}
