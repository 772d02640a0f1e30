// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package agent

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/go-logr/logr"
)

// DefaultSysctlRoot is where the host's sysctls are.
const DefaultSysctlRoot = "/proc/sys"

// hostSysctl is one host setting and its value.
type hostSysctl struct{ key, value string }

// hostSysctls are the settings the agent applies at start when the
// ConfigMap's tuneSysctlConfig is true (docs/reference/behaviour.md §9.6):
// a neighbour table large enough for many pods per node, ARP notification
// on link changes, forwarding, and no reverse-path filter on the host.
var hostSysctls = []hostSysctl{
	{"net.ipv4.neigh.default.gc_thresh3", "28160"},
	{"net.ipv6.neigh.default.gc_thresh3", "28160"},
	{"net.ipv4.conf.all.arp_notify", "1"},
	{"net.ipv4.conf.all.forwarding", "1"},
	{"net.ipv6.conf.all.forwarding", "1"},
	{"net.ipv4.conf.all.rp_filter", "0"},
}

// tuneSysctls writes hostSysctls under root (DefaultSysctlRoot on a node).
// A key the kernel does not have is skipped; a key that cannot be written
// is logged with the fix and skipped: the agent's IPAM does not depend on
// these settings. It returns the keys it set.
func tuneSysctls(log logr.Logger, root string) []string {
	var set []string
	for _, s := range hostSysctls {
		path := filepath.Join(root, strings.ReplaceAll(s.key, ".", "/"))
		err := os.WriteFile(path, []byte(s.value), 0o644) //nolint:gosec // a sysctl file, mode unused
		switch {
		case err == nil:
			set = append(set, s.key)
		case errors.Is(err, fs.ErrNotExist):
			log.V(1).Info("host sysctl not present in this kernel; skipped", "sysctl", s.key)
		default:
			log.Error(err, "cannot set a host sysctl; run the agent privileged, or set tuneSysctlConfig: false in the ConfigMap to leave host sysctls alone",
				"sysctl", s.key, "value", s.value)
		}
	}
	return set
}
