// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

// Command spiderpool is the IPAM CNI plugin; see package ipamplugin.
package main

import (
	"github.com/containernetworking/cni/pkg/skel"

	"github.com/spiderpool-go/spiderpool/internal/cni/ipamplugin"
)

func main() {
	skel.PluginMainFuncs(ipamplugin.New().Funcs(), ipamplugin.VersionInfo(), ipamplugin.About)
}
