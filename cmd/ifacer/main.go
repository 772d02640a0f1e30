// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

// Command ifacer is the CNI plugin that makes VLAN sub-interfaces and
// bonds on the node; see package ifacer.
package main

import (
	"github.com/containernetworking/cni/pkg/skel"

	"github.com/spiderpool-go/spiderpool/internal/cni/ifacer"
)

func main() {
	skel.PluginMainFuncs(ifacer.New().Funcs(), ifacer.VersionInfo(), ifacer.About)
}
