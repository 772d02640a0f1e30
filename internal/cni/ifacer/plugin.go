// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package ifacer

import (
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/containernetworking/cni/pkg/skel"
	"github.com/containernetworking/cni/pkg/types"
	types100 "github.com/containernetworking/cni/pkg/types/100"
	"github.com/containernetworking/cni/pkg/version"
)

// About is printed when the binary runs without CNI_COMMAND.
const About = "ifacer: CNI plugin that makes VLAN sub-interfaces and bonds on the node for the main plugin (spiderpool-go)"

// Plugin implements the CNI commands; tests replace the fields.
type Plugin struct {
	// Links makes the devices.
	Links Links
	// Stdout receives the result of ADD.
	Stdout io.Writer
}

// New returns a Plugin acting on the kernel.
func New() *Plugin {
	return &Plugin{Links: netlinkLinks{}, Stdout: os.Stdout}
}

// Funcs returns the commands for skel.PluginMainFuncs: only ADD does
// anything; the devices outlive the pods.
func (p *Plugin) Funcs() skel.CNIFuncs {
	nothing := func(*skel.CmdArgs) error { return nil }
	return skel.CNIFuncs{Add: p.Add, Del: nothing, Check: nothing, GC: nothing, Status: nothing}
}

// VersionInfo lists the CNI spec versions the plugin speaks.
func VersionInfo() version.PluginInfo {
	return version.PluginSupports(SupportedVersions()...)
}

// Add serves CNI ADD: it makes the devices and passes prevResult through
// (an empty result when it is first in the chain).
func (p *Plugin) Add(args *skel.CmdArgs) error {
	conf, err := LoadNetConf(args.StdinData)
	if err != nil {
		return types.NewError(types.ErrInvalidNetworkConfig, err.Error(), "")
	}
	if _, err := setUpDevices(p.Links, conf); err != nil {
		if errors.Is(err, ErrInvalidConfig) {
			return types.NewError(types.ErrInvalidNetworkConfig, err.Error(), "")
		}
		return types.NewError(types.ErrInternal, err.Error(), "")
	}
	var result types.Result = &types100.Result{CNIVersion: types100.ImplementedSpecVersion}
	if conf.PrevResult != nil {
		result = conf.PrevResult
	}
	versioned, err := result.GetAsVersion(conf.CNIVersion)
	if err != nil {
		return types.NewError(types.ErrIncompatibleCNIVersion, fmt.Sprintf("convert the result to %s: %v", conf.CNIVersion, err), "")
	}
	if err := versioned.PrintTo(p.Stdout); err != nil {
		return types.NewError(types.ErrIOFailure, fmt.Sprintf("write the result: %v", err), "")
	}
	return nil
}
