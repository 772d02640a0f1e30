// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

// Command coordinator is the chained CNI plugin that connects underlay
// pods to their node; see package coordinator.
package main

import (
	"github.com/containernetworking/cni/pkg/skel"

	"github.com/spiderpool-go/spiderpool/internal/cni/coordinator"
)

func main() {
	skel.PluginMainFuncs(coordinator.New().Funcs(), coordinator.VersionInfo(), coordinator.About)
}
