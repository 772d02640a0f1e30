// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package webhook

import (
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/spiderpool-go/spiderpool/internal/config"
	"github.com/spiderpool-go/spiderpool/internal/validation"
)

// Options selects the webhooks and the rules they apply.
type Options struct {
	// EnableIPv4 is ConfigMap enableIPv4: IPv4 objects are accepted.
	EnableIPv4 bool
	// EnableIPv6 is ConfigMap enableIPv6: IPv6 objects are accepted.
	EnableIPv6 bool
	// EnableSpiderSubnet is ConfigMap enableSpiderSubnet: registers the
	// SpiderSubnet webhooks and applies the subnet rules to pools.
	EnableSpiderSubnet bool
	// EnableValidatingResourcesDeletedWebhook is the ConfigMap key of the
	// same name: deleting a pool or subnet with allocated IPs is refused.
	EnableValidatingResourcesDeletedWebhook bool
	// EnableCoordinator is SPIDERPOOL_COORDINATOR_ENABLED: registers the
	// SpiderCoordinator webhooks.
	EnableCoordinator bool
	// EnableMultusConfig is SPIDERPOOL_MULTUS_CONFIG_ENABLED: registers the
	// SpiderMultusConfig webhooks. The manager's scheme must then know
	// NetworkAttachmentDefinition (api/k8scni/v1).
	EnableMultusConfig bool
	// PodResourceInject is ConfigMap podResourceInject: Enabled registers
	// the Pod webhook at PodMutatePath; the namespace lists select the
	// pods the API server sends to it (Configurations).
	PodResourceInject config.PodResourceInject
	// Reader reads the objects a review compares with (other pools and
	// subnets, the owning subnet, the NetworkAttachmentDefinition). Nil
	// means the manager's API reader: uncached, so two overlapping pools
	// created one after the other are always caught, at the cost of one
	// list per create or spec update. Pass the manager's cached client to
	// trade that for staleness.
	Reader client.Reader
}

// OptionsFrom returns the Options of a controller started with ConfigMap
// cm and environment env; Reader is left nil.
func OptionsFrom(cm config.ConfigMap, env config.ControllerEnv) Options {
	return Options{
		EnableIPv4:                              cm.EnableIPv4,
		EnableIPv6:                              cm.EnableIPv6,
		EnableSpiderSubnet:                      cm.EnableSpiderSubnet,
		EnableValidatingResourcesDeletedWebhook: cm.EnableValidatingResourcesDeletedWebhook,
		EnableCoordinator:                       env.EnableCoordinator,
		EnableMultusConfig:                      env.EnableMultusConfig,
		PodResourceInject:                       cm.PodResourceInject,
	}
}

// rules returns the switches the validation rules depend on.
func (o Options) rules() validation.Config {
	return validation.Config{
		EnableIPv4:         o.EnableIPv4,
		EnableIPv6:         o.EnableIPv6,
		EnableSpiderSubnet: o.EnableSpiderSubnet,
	}
}
