// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package ipamplugin

import (
	"context"
	"fmt"

	"github.com/containernetworking/cni/pkg/skel"
	"github.com/containernetworking/cni/pkg/types"

	"github.com/spiderpool-go/spiderpool/internal/agentapi"
)

// Add serves CNI ADD: interface UP, allocation by the agent, and the
// result for this interface in the config's cniVersion.
func (p *Plugin) Add(args *skel.CmdArgs) error {
	conf, pod, err := p.load(args)
	if err != nil {
		return err
	}
	req := &agentapi.AddRequest{
		ContainerID: args.ContainerID, IfName: args.IfName, NetNamespace: args.Netns,
		PodNamespace: pod.Namespace, PodName: pod.Name, PodUID: pod.UID,
		DefaultIPv4IPPool: conf.IPAM.DefaultIPv4IPPool, DefaultIPv6IPPool: conf.IPAM.DefaultIPv6IPPool,
		CleanGateway: conf.IPAM.CleanGateway,
	}
	if err := req.Validate(); err != nil {
		return requestError(err)
	}
	if err := p.Links.SetUp(args.Netns, args.IfName); err != nil {
		return netnsError(err)
	}
	socket := conf.IPAM.UnixSocketPath
	client := p.NewClient(socket)
	resp, err := client.Allocate(context.Background(), req)
	if err != nil {
		return agentError(socket, err)
	}
	result, err := buildResult(resp, args.IfName)
	if err != nil {
		return types.NewError(types.ErrInternal, err.Error(), "")
	}
	if err := p.checkWire(context.Background(), client, req, resp, p.warner("ADD", conf)); err != nil {
		return err
	}
	return p.print(result, conf.CNIVersion)
}

// print writes result converted to cniVersion.
func (p *Plugin) print(result types.Result, cniVersion string) error {
	versioned, err := result.GetAsVersion(cniVersion)
	if err != nil {
		return types.NewError(types.ErrIncompatibleCNIVersion, fmt.Sprintf("convert the result to %s: %v", cniVersion, err), "")
	}
	if err := versioned.PrintTo(p.Stdout); err != nil {
		return types.NewError(types.ErrIOFailure, fmt.Sprintf("write the result: %v", err), "")
	}
	return nil
}
