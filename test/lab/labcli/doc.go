// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

// Package labcli is the command line of the lab cluster: spiderlab up,
// down, status and node (the per-node simulator process).
package labcli
