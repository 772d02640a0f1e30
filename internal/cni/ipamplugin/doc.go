// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

// Package ipamplugin is the spiderpool IPAM CNI plugin: ADD, DEL, CHECK,
// GC and STATUS, each a method of [Plugin], which asks the spiderpool-agent
// of the node over its unix socket (package agentapi) and holds no
// Kubernetes client.
//
// Behaviour worth knowing (docs/reference/interface.md §5.1,
// docs/reference/behaviour.md §1.2):
//   - ADD sets the pod interface UP, asks the agent, and prints a result
//     with only this interface's addresses and routes (the agent answers
//     for every NIC of the pod), converted to the config's cniVersion.
//     Gratuitous ARP and the conflict/gateway probes of
//     docs/reference/behaviour.md §7 are not sent yet.
//   - DEL is idempotent. When the agent is unreachable, not ready or
//     failing, the release is written to an on-disk [agentapi.ReleaseQueue]
//     (next to the socket by default) that the agent drains, and DEL
//     succeeds; only a release that can be neither made nor queued fails.
//   - CHECK compares the agent's record with prevResult and with the
//     addresses actually on the interface.
//   - GC forwards cni.dev/valid-attachments; STATUS reports the agent's
//     readiness (code 50 when not available).
//   - The plugin runs as root but writes only under /var/log/spidernet
//     (log_file_path) and /var/run/spidernet (the socket's release queue):
//     a path of the network configuration outside them, which a
//     NetworkAttachmentDefinition's author could choose, is replaced by
//     the default and reported on stderr, in the log file and in the
//     command's error (netconf.Roots). The log file is opened with
//     O_NOFOLLOW.
//
// Errors are *types.Error with the spec's codes: 4 for bad CNI_ARGS, 7 for
// a bad network config, 8 for an unusable netns, 11 when the agent is
// unreachable or not ready, 50 for STATUS, 999 otherwise with the agent's
// message. Besides the lines of its log file and those notes on stderr,
// the plugin logs nothing.
package ipamplugin
