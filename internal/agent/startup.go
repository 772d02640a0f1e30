// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package agent

import (
	"strings"

	"github.com/go-logr/logr"
)

// logDetection logs, once at start, the ConfigMap switches that make the
// plugin probe the wire before a pod uses its addresses
// (docs/reference/behaviour.md §7, docs/conflict.md).
func logDetection(log logr.Logger, o Options) {
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
	log.Info("The plugin checks addresses on the wire before pods use them: "+strings.Join(on, " and ")+" set in the ConfigMap",
		"switches", on, "releaseConflictIPs", o.EnableReleaseConflictIPs)
}
