// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package chaos

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"strings"
	"time"

	coordinationv1 "k8s.io/api/coordination/v1"
	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/spiderpool-go/spiderpool/internal/controller"
	"github.com/spiderpool-go/spiderpool/test/lab"
)

// nodeDown is how long a stopped node stays down: past the node monitor
// grace period (50 s), so its Node goes NotReady.
const nodeDownMin, nodeDownMax = 55 * time.Second, 75 * time.Second

// plan picks the target of a fault of kind and returns the fault (inject,
// wait, undo) with the target it holds.
func (in *Injector) plan(ctx context.Context, kind Kind) (func(context.Context) error, string) {
	n := in.freeNode()
	short := in.between(2*time.Second, 15*time.Second)
	switch kind {
	case KillAgent:
		return in.killFor(lab.AgentProcess(n.Name), short, func() error { return in.lab.StartAgent(n) }), "node/" + n.Name
	case KillLeader:
		i := in.leader(ctx)
		return in.killFor(lab.ControllerProcess(i), short, func() error { return in.lab.StartController(i) }), "controllers"
	case KillAPIServer:
		return in.killFor(lab.APIServerProcess, short, in.lab.StartAPIServer), "control-plane"
	case KillEtcd:
		return in.killFor(lab.EtcdProcess, short, in.lab.StartEtcd), "control-plane"
	case StopNode:
		down := in.between(nodeDownMin, nodeDownMax)
		return in.killFor(lab.NodeProcess(n.Name), down, func() error { return in.lab.StartNode(n) }), "node/" + n.Name
	case ForceDelete:
		return in.forceDelete(n, short), "node/" + n.Name
	case HideSocket:
		return in.hideSocket(n, short), "node/" + n.Name
	case APIErrors:
		code := http.StatusInternalServerError
		if in.intn(2) == 0 {
			code = http.StatusTooManyRequests
		}
		return func(ctx context.Context) error {
			in.proxy.Fail(code)
			sleep(ctx, short)
			in.proxy.Heal()
			return nil
		}, "proxy"
	}
	return nil, ""
}

// freeNode picks a random node, preferring one no fault holds.
func (in *Injector) freeNode() lab.Node {
	start := in.intn(len(in.lab.Nodes))
	for i := range in.lab.Nodes {
		n := in.lab.Nodes[(start+i)%len(in.lab.Nodes)]
		in.mu.Lock()
		busy := in.busy["node/"+n.Name]
		in.mu.Unlock()
		if !busy {
			return n
		}
	}
	return in.lab.Nodes[start]
}

// killFor kills process name with SIGKILL, waits d and starts it again.
func (in *Injector) killFor(name string, d time.Duration, start func() error) func(context.Context) error {
	return func(ctx context.Context) error {
		in.hold(name, true)
		defer in.hold(name, false)
		if err := in.lab.Kill(name); err != nil {
			return err
		}
		sleep(ctx, d)
		return start()
	}
}

// leader is the index of the controller replica holding the lease (0 if
// none can be read).
func (in *Injector) leader(ctx context.Context) int {
	leases := &coordinationv1.LeaseList{}
	if err := in.c.List(ctx, leases); err != nil {
		return 0
	}
	for _, l := range leases.Items {
		if l.Name != controller.LeaseName || l.Spec.HolderIdentity == nil {
			continue
		}
		for i := range in.lab.Controllers {
			if strings.HasPrefix(*l.Spec.HolderIdentity, lab.ControllerProcess(i)+"_") || *l.Spec.HolderIdentity == lab.ControllerProcess(i) {
				return i
			}
		}
	}
	return 0
}

// forceDelete stops the node's simulator, deletes up to three of its pods
// with grace period 0 (no CNI DEL while it is down), and restarts it d later.
func (in *Injector) forceDelete(n lab.Node, d time.Duration) func(context.Context) error {
	name := lab.NodeProcess(n.Name)
	return func(ctx context.Context) error {
		in.hold(name, true)
		defer in.hold(name, false)
		if err := in.lab.Kill(name); err != nil {
			return err
		}
		pods := &corev1.PodList{}
		err := in.c.List(ctx, pods, client.InNamespace(in.ns), client.MatchingFields{"spec.nodeName": n.Name})
		var errs []error
		for i, count := 0, 0; err == nil && i < len(pods.Items) && count < 3; i++ {
			p := &pods.Items[in.intn(len(pods.Items))]
			if p.DeletionTimestamp == nil {
				errs = append(errs, client.IgnoreNotFound(in.c.Delete(ctx, p, client.GracePeriodSeconds(0))))
				count++
			}
		}
		sleep(ctx, d)
		return errors.Join(err, errors.Join(errs...), in.lab.StartNode(n))
	}
}

// hideSocket moves the agent's socket away for d: the plugin cannot reach
// the agent (the lab runs as root, so a chmod would not stop it).
func (in *Injector) hideSocket(n lab.Node, d time.Duration) func(context.Context) error {
	sock := n.AgentSocket()
	hidden := sock + ".chaos-hidden"
	return func(ctx context.Context) error {
		if err := os.Rename(sock, hidden); err != nil {
			return fmt.Errorf("hide %s: %w", sock, err)
		}
		sleep(ctx, d)
		if _, err := os.Stat(sock); err == nil {
			// The agent was restarted meanwhile and serves a new socket.
			return os.Remove(hidden)
		} else if !errors.Is(err, fs.ErrNotExist) {
			return err
		}
		return os.Rename(hidden, sock)
	}
}
