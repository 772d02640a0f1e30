// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package coordinator

import (
	"github.com/containernetworking/cni/pkg/skel"
	"github.com/containernetworking/cni/pkg/types"
)

// Del serves CNI DEL. It needs neither the agent, nor the pod object, nor
// the pod's netns: it deletes the node side of the pod's veth pair, found
// by the container ID (its name, or the ID recorded in its alias), which
// takes the node's routes to the pod (table hostRuleTable) and its
// neighbour entries along (Spiderpool skipped all of it once the netns was
// gone, issue #5735). DEL is idempotent, and a configuration that does not
// load is reported on stderr, not returned: the runtime would retry DEL of
// a pod that can never be set up forever.
func (p *Plugin) Del(args *skel.CmdArgs) error {
	nc, err := loadNetConf(args.StdinData, false)
	if err != nil {
		p.warn("DEL of %s: %v; cleaning up the node side anyway", args.ContainerID, err)
	} else if nc.Mode == ModeDisabled || nc.Mode == ModeDisable {
		return nil
	}
	if err := deleteHostVeths(args.ContainerID); err != nil {
		return types.NewError(types.ErrInternal, err.Error(), "")
	}
	return nil
}
