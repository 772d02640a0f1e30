// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

// Package plugininstall copies CNI plugin binaries (spiderpool, coordinator,
// ifacer) from the directory they ship in into a host's CNI bin dir, as
// spiderpool-agent's postStart hook does on every node (docs/chart.md,
// "CNI plugin installation").
//
// Each copy is atomic: the new binary is written to a temporary file in the
// destination directory, synced, made executable (0755) and renamed over the
// target. A container runtime that runs the plugin meanwhile sees either
// the old binary or the new one, never a partial file, and a plugin process
// still executing the old binary keeps its inode: replacing a running
// binary by rename cannot fail with ETXTBSY, as writing into it would. A
// target whose size and SHA-256 already match the source is left alone, so
// restarting the agent rewrites nothing.
package plugininstall
