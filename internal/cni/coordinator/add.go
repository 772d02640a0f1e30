// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package coordinator

import (
	"context"
	"fmt"

	"github.com/containernetworking/cni/pkg/skel"
	"github.com/containernetworking/cni/pkg/types"
	"github.com/containernetworking/plugins/pkg/ns"

	"github.com/spiderpool-go/spiderpool/internal/agentapi"
	"github.com/spiderpool-go/spiderpool/internal/cni/netconf"
)

// Add serves CNI ADD: it resolves the configuration, sets up the mode it
// decides on, and passes prevResult on. A configuration error is found
// before anything changes.
func (p *Plugin) Add(args *skel.CmdArgs) error {
	nc, err := LoadNetConf(args.StdinData)
	if err != nil {
		return configError(err)
	}
	if nc.Mode == ModeDisabled || nc.Mode == ModeDisable {
		return p.print(nc) // no need to ask the agent
	}
	pod, err := netconf.ParseArgs(args.Args)
	if err != nil {
		return types.NewError(types.ErrInvalidEnvironmentVariables, err.Error(), "")
	}
	agentConf, err := p.NewClient(p.SocketPath).CoordinatorConfig(context.Background(),
		&agentapi.CoordinatorRequest{PodNamespace: pod.Namespace, PodName: pod.Name})
	if err != nil {
		return agentError(p.SocketPath, err)
	}
	conf, err := Merge(agentConf, nc)
	if err != nil {
		return configError(err)
	}
	if conf.Disabled() {
		return p.print(nc)
	}
	podNS, err := ns.GetNS(args.Netns)
	if err != nil {
		return types.NewError(types.ErrInvalidNetNS, fmt.Sprintf("open the pod netns %s: %v", args.Netns, err), "")
	}
	defer func() { _ = podNS.Close() }()
	if err := p.setUp(args, conf, podNS); err != nil {
		return err
	}
	return p.print(nc)
}

// setUp reads the pod, decides the mode (docs/reference/behaviour.md §8.2)
// and runs it.
func (p *Plugin) setUp(args *skel.CmdArgs, conf *Config, podNS ns.NetNS) error {
	var view *podView
	if err := podNS.Do(func(ns.NetNS) (err error) { view, err = readPod(args.IfName); return err }); err != nil {
		return types.NewError(types.ErrInternal, err.Error(), "")
	}
	mode := conf.Mode
	if mode == ModeAuto {
		mode = ModeOverlay
		if args.IfName == conf.PodCniNic || view.hasVeth0 {
			mode = ModeUnderlay
		}
	}
	s := &setup{plugin: p, args: args, conf: conf, podNS: podNS, view: view}
	var err error
	switch mode {
	case ModeUnderlay:
		err = s.underlay()
	default:
		err = s.overlay()
	}
	if err != nil {
		return types.NewError(types.ErrInternal, err.Error(), "")
	}
	return nil
}
