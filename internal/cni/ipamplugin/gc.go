// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package ipamplugin

import (
	"context"
	"encoding/json"

	"github.com/containernetworking/cni/pkg/skel"
	"github.com/containernetworking/cni/pkg/types"

	"github.com/spiderpool-go/spiderpool/internal/agentapi"
	"github.com/spiderpool-go/spiderpool/internal/cni/netconf"
)

// GC serves CNI GC (spec 1.1): it hands cni.dev/valid-attachments to the
// agent, which releases this node's other allocations. A config without
// the list (as opposed to an empty one) releases nothing.
func (p *Plugin) GC(args *skel.CmdArgs) error {
	conf, err := p.loadConf(args.StdinData)
	if err != nil {
		return configError(err)
	}
	valid, err := validAttachments(conf, args.StdinData)
	if err != nil || valid == nil {
		return err
	}
	req := &agentapi.GCRequest{Network: conf.Name, ValidAttachments: valid}
	if err := req.Validate(); err != nil {
		return configError(err)
	}
	socket := conf.IPAM.UnixSocketPath
	if err := p.NewClient(socket).GC(context.Background(), req); err != nil {
		return agentError(socket, err)
	}
	return nil
}

// validAttachments reads cni.dev/valid-attachments, or the misspelled
// cni.dev/attachments that libcni also sends (cni issue #1101); nil when
// neither is present.
func validAttachments(conf *netconf.NetConf, stdin []byte) ([]agentapi.Attachment, error) {
	list := conf.ValidAttachments
	if list == nil {
		var alias struct {
			Attachments []types.GCAttachment `json:"cni.dev/attachments"`
		}
		if err := json.Unmarshal(stdin, &alias); err != nil {
			return nil, types.NewError(types.ErrDecodingFailure, "decode cni.dev/attachments: "+err.Error(), "")
		}
		list = alias.Attachments
	}
	if list == nil {
		return nil, nil
	}
	out := make([]agentapi.Attachment, 0, len(list))
	for _, a := range list {
		out = append(out, agentapi.Attachment{ContainerID: a.ContainerID, IfName: a.IfName})
	}
	return out, nil
}

// Status serves CNI STATUS (spec 1.1): available when the agent is ready.
func (p *Plugin) Status(args *skel.CmdArgs) error {
	conf, err := p.loadConf(args.StdinData)
	if err != nil {
		return configError(err)
	}
	socket := conf.IPAM.UnixSocketPath
	if err := p.NewClient(socket).Healthy(context.Background()); err != nil {
		e := agentError(socket, err)
		e.Code = ErrPluginNotAvailable
		return e
	}
	return nil
}
