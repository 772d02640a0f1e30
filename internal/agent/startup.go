// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package agent

import (
	"strings"

	"github.com/go-logr/logr"
)

// warnUnimplemented logs, once at start, the ConfigMap switches the agent
// accepts and passes to the plugin but that do nothing yet: the plugin
// sends no ARP/NDP probe for a duplicate address or an unreachable
// gateway, and no gratuitous ARP (docs/reference/behaviour.md §7,
// docs/ipam.md).
func warnUnimplemented(log logr.Logger, o Options) {
	var on []string
	if o.EnableIPConflictDetection {
		on = append(on, "enableIPConflictDetection")
	}
	if o.EnableGatewayDetection {
		on = append(on, "enableGatewayDetection")
	}
	if len(on) == 0 {
		return
	}
	log.Info("WARNING: IP conflict and gateway detection are not implemented yet: the ConfigMap sets "+
		strings.Join(on, " and ")+", but no duplicate address or unreachable gateway is detected, and no gratuitous ARP is sent",
		"switches", on)
}
