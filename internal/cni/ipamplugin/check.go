// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package ipamplugin

import (
	"context"
	"fmt"
	"net/netip"
	"slices"
	"strings"

	"github.com/containernetworking/cni/pkg/skel"
	"github.com/containernetworking/cni/pkg/types"
	types100 "github.com/containernetworking/cni/pkg/types/100"
	"github.com/containernetworking/cni/pkg/version"

	"github.com/spiderpool-go/spiderpool/internal/agentapi"
	"github.com/spiderpool-go/spiderpool/internal/cni/netconf"
)

// Check serves CNI CHECK: the agent's record for this pod and interface
// must equal prevResult's addresses, and each of them must be on the
// interface.
func (p *Plugin) Check(args *skel.CmdArgs) error {
	conf, pod, err := p.load(args)
	if err != nil {
		return err
	}
	prev, err := prevAddresses(conf)
	if err != nil {
		return err
	}
	req := &agentapi.CheckRequest{
		ContainerID: args.ContainerID, IfName: args.IfName, NetNamespace: args.Netns,
		PodNamespace: pod.Namespace, PodName: pod.Name, PodUID: pod.UID,
	}
	if err := req.Validate(); err != nil {
		return requestError(err)
	}
	recorded, err := p.recorded(conf.IPAM.UnixSocketPath, req)
	if err != nil {
		return err
	}
	if err := compareAddresses(recorded, prev); err != nil {
		return types.NewError(types.ErrInternal, err.Error(), "")
	}
	return p.checkOnLink(args, recorded)
}

// recorded asks the agent for its record of the interface.
func (p *Plugin) recorded(socket string, req *agentapi.CheckRequest) ([]netip.Prefix, error) {
	rec, err := p.NewClient(socket).Check(context.Background(), req)
	if agentapi.HasCode(err, agentapi.CodeNotFound) {
		return nil, types.NewError(types.ErrInternal, fmt.Sprintf(
			"spiderpool-agent has no allocation for pod %s/%s (UID %s) interface %s",
			req.PodNamespace, req.PodName, req.PodUID, req.IfName), err.Error())
	}
	if err != nil {
		return nil, agentError(socket, err)
	}
	var out []netip.Prefix
	for _, ipc := range rec.IPs {
		if ipc.NIC == req.IfName {
			// Validated by the client: the address parses.
			out = append(out, netip.MustParsePrefix(ipc.Address))
		}
	}
	return out, nil
}

// prevAddresses reads the addresses of prevResult, which CHECK requires.
func prevAddresses(conf *netconf.NetConf) ([]netip.Prefix, error) {
	if conf.RawPrevResult == nil {
		return nil, types.NewError(types.ErrInvalidNetworkConfig, "CHECK needs prevResult in the network config", "")
	}
	if err := version.ParsePrevResult(&conf.NetConf); err != nil {
		return nil, types.NewError(types.ErrDecodingFailure, fmt.Sprintf("decode prevResult: %v", err), "")
	}
	prev, err := types100.NewResultFromResult(conf.PrevResult)
	if err != nil {
		return nil, types.NewError(types.ErrDecodingFailure, fmt.Sprintf("convert prevResult: %v", err), "")
	}
	var out []netip.Prefix
	for _, ipc := range prev.IPs {
		if p, ok := prefixOf(ipc.Address.IP, ipc.Address.Mask); ok {
			out = append(out, p)
		}
	}
	return out, nil
}

// compareAddresses names every address that only one side has.
func compareAddresses(recorded, prev []netip.Prefix) error {
	var problems []string
	for _, a := range recorded {
		if !slices.Contains(prev, a) {
			problems = append(problems, fmt.Sprintf("%s is recorded by spiderpool-agent but not in prevResult", a))
		}
	}
	for _, a := range prev {
		if !slices.Contains(recorded, a) {
			problems = append(problems, fmt.Sprintf("%s is in prevResult but not recorded by spiderpool-agent", a))
		}
	}
	if len(problems) == 0 {
		return nil
	}
	return fmt.Errorf("the addresses of the interface do not match: %s", strings.Join(problems, "; "))
}

// checkOnLink requires every recorded address on the interface.
func (p *Plugin) checkOnLink(args *skel.CmdArgs, want []netip.Prefix) error {
	have, err := p.Links.Addrs(args.Netns, args.IfName)
	if err != nil {
		return netnsError(err)
	}
	var missing []string
	for _, a := range want {
		if !slices.Contains(have, a) {
			missing = append(missing, a.String())
		}
	}
	if len(missing) == 0 {
		return nil
	}
	return types.NewError(types.ErrInternal, fmt.Sprintf("address %s is missing from interface %s in netns %s",
		strings.Join(missing, ", "), args.IfName, args.Netns), "")
}
