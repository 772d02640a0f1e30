// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

// Package workload is the one rulebook for "is this address holder
// alive", shared by the agent's IPAM (internal/ipam), the controller's
// garbage collector (internal/gc) and spiderpoolctl: when a pod counts as
// alive, when its grace period ends, when a node counts as Ready, and
// which dead holders keep their addresses for a successor of the same
// name (a StatefulSet ordinal still wanted, a KubeVirt VM still wanted).
// It reads objects through a client.Reader and writes nothing. The rules
// and where they differ from Spiderpool are in docs/gc.md.
package workload
