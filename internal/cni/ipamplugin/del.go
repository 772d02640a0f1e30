// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package ipamplugin

import (
	"context"
	"errors"
	"fmt"

	"github.com/containernetworking/cni/pkg/skel"
	"github.com/containernetworking/cni/pkg/types"

	"github.com/spiderpool-go/spiderpool/internal/agentapi"
)

// Del serves CNI DEL. It is idempotent and needs no netns. A release the
// agent cannot take now is queued on disk for the agent to drain, so that
// it is never lost (docs/compatibility.md #7); DEL fails only when it can be
// neither made nor queued, or when the request itself is bad.
//
// When the namespace is still there, the interface's addresses are taken
// off first. Main plugins such as macvlan and ipvlan call IPAM DEL before
// they delete the interface: without this an address would be back in
// its pool while still configured on the old interface, and the next pod
// given it would fail IPv6 duplicate address detection (DADFAILED) or
// share it in ARP until the interface goes.
func (p *Plugin) Del(args *skel.CmdArgs) error {
	conf, pod, err := p.load(args)
	if err != nil {
		return err
	}
	req := &agentapi.DelRequest{
		ContainerID: args.ContainerID, IfName: args.IfName, NetNamespace: args.Netns,
		PodNamespace: pod.Namespace, PodName: pod.Name, PodUID: pod.UID,
	}
	if err := req.Validate(); err != nil {
		return requestError(err)
	}
	if args.Netns != "" {
		if err := p.Links.Unaddress(args.Netns, args.IfName); err != nil {
			// Releasing matters more than the addresses of an interface
			// about to go: say so and go on.
			_, _ = fmt.Fprintf(p.stderr(), "spiderpool: DEL of %s/%s: addresses left on the interface: %v\n", pod.Namespace, pod.Name, err)
		}
	}
	socket := conf.IPAM.UnixSocketPath
	err = p.NewClient(socket).Release(context.Background(), req)
	switch {
	case err == nil, agentapi.HasCode(err, agentapi.CodeNotFound):
		return nil
	case retryLater(err):
		return p.enqueue(socket, req, err)
	default:
		return agentError(socket, err)
	}
}

// retryLater tells the failures a later attempt can fix: the agent is
// down, starting, or failed on its side (such as an unreachable API
// server).
func retryLater(err error) bool {
	return errors.Is(err, agentapi.ErrUnreachable) ||
		agentapi.HasCode(err, agentapi.CodeNotReady) || agentapi.HasCode(err, agentapi.CodeInternal)
}

// enqueue queues the release; callErr is why the agent did not take it. A
// release without the pod UID is not queued (a later pod of the same name
// could lose its addresses to it): DEL fails, so the runtime retries it
// until the agent answers.
func (p *Plugin) enqueue(socket string, req *agentapi.DelRequest, callErr error) error {
	q := agentapi.NewReleaseQueue(p.QueueDir(socket), p.QueueCapacity)
	err := q.Enqueue(*req)
	if errors.Is(err, agentapi.ErrNoPodUID) {
		return types.NewError(types.ErrTryAgainLater, fmt.Sprintf(
			"spiderpool-agent on %s could not release the addresses of %s/%s interface %s, and the release is not queued: "+
				"CNI_ARGS has no K8S_POD_UID, and a release queued without it could free the addresses of a later pod of the same name; "+
				"DEL succeeds once the agent answers", socket, req.PodNamespace, req.PodName, req.IfName), callErr.Error())
	}
	if err != nil {
		return types.NewError(types.ErrTryAgainLater, fmt.Sprintf(
			"spiderpool-agent on %s could not release the addresses of %s/%s interface %s, and queuing the release in %s failed: %v",
			socket, req.PodNamespace, req.PodName, req.IfName, q.Dir(), err), callErr.Error())
	}
	return nil
}
