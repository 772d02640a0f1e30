// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package ipamplugin_test

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/spiderpool-go/spiderpool/internal/agentapi"
	"github.com/spiderpool-go/spiderpool/internal/agentserver"
	"github.com/spiderpool-go/spiderpool/internal/cni/netconf"
	"github.com/spiderpool-go/spiderpool/test/utils"
)

// fakePool hands out a fixed list of addresses.
type fakePool struct {
	bits    int
	gateway string
	free    []netip.Addr
}

// fakeAllocation is one address recorded for a pod interface.
type fakeAllocation struct {
	containerID, podUID string
	clean               bool
	ip                  agentapi.IPConfig
}

// fakeAgent is an in-memory agentapi.Handler: enough IPAM to drive the
// plugin end to end.
type fakeAgent struct {
	notReady atomic.Bool
	mu       sync.Mutex
	pools    map[string]*fakePool
	allocs   []fakeAllocation
	// onRelease, when set, sees every DEL before it is served.
	onRelease func(*agentapi.DelRequest)
	// gatewayDetection and conflictDetection are copied into every
	// address, as the agent copies its ConfigMap switches.
	gatewayDetection, conflictDetection bool
	// batches records every batch release.
	batches []agentapi.BatchDelRequest
}

var _ agentapi.Handler = (*fakeAgent)(nil)

// newFakeAgent serves pools v4a (10.250.0.0/24), v4b (10.251.0.0/24) and
// v6a (fd00:250::/64), each with ten addresses from .10 on.
func newFakeAgent() *fakeAgent {
	a := &fakeAgent{pools: map[string]*fakePool{}}
	a.addPool("v4a", "10.250.0.1/24", "10.250.0.10")
	a.addPool("v4b", "10.251.0.1/24", "10.251.0.10")
	a.addPool("v6a", "fd00:250::1/64", "fd00:250::10")
	return a
}

func (a *fakeAgent) addPool(name, gateway, first string) {
	gw := netip.MustParsePrefix(gateway)
	p := &fakePool{bits: gw.Bits(), gateway: gw.Addr().String()}
	for ip, i := netip.MustParseAddr(first), 0; i < 10; ip, i = ip.Next(), i+1 {
		p.free = append(p.free, ip)
	}
	a.pools[name] = p
}

func (a *fakeAgent) Healthy(context.Context) error {
	if a.notReady.Load() {
		return errors.New("restoring allocations")
	}
	return nil
}

func (a *fakeAgent) Allocate(_ context.Context, req *agentapi.AddRequest) (*agentapi.AddResponse, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if len(a.find(req.PodUID, req.IfName)) == 0 {
		for _, pools := range [][]string{req.DefaultIPv4IPPool, req.DefaultIPv6IPPool} {
			if len(pools) == 0 {
				continue
			}
			if err := a.take(req, pools[0]); err != nil {
				return nil, err
			}
		}
	}
	resp := &agentapi.AddResponse{}
	for _, al := range a.allocs {
		if al.podUID != req.PodUID {
			continue
		}
		ip := al.ip
		ip.EnableGatewayDetection, ip.EnableIPConflictDetection = a.gatewayDetection, a.conflictDetection
		resp.IPs = append(resp.IPs, ip)
		if !al.clean {
			dst := map[int]string{4: "0.0.0.0/0", 6: "::/0"}[al.ip.Version]
			resp.Routes = append(resp.Routes, agentapi.Route{IfName: al.ip.NIC, Dst: dst, Gw: al.ip.Gateway})
		}
	}
	return resp, nil
}

func (a *fakeAgent) take(req *agentapi.AddRequest, name string) error {
	pool := a.pools[name]
	if pool == nil {
		return agentapi.NewError(agentapi.CodeNoPool, "pool %s does not exist", name)
	}
	if len(pool.free) == 0 {
		return agentapi.NewError(agentapi.CodePoolExhausted, "pool %s has no free address", name)
	}
	ip := pool.free[0]
	pool.free = pool.free[1:]
	version := map[bool]int{true: 4, false: 6}[ip.Is4()]
	a.allocs = append(a.allocs, fakeAllocation{
		containerID: req.ContainerID, podUID: req.PodUID, clean: req.CleanGateway,
		ip: agentapi.IPConfig{
			Version: version, Address: netip.PrefixFrom(ip, pool.bits).String(), NIC: req.IfName,
			IPPool: name, Gateway: pool.gateway,
		},
	})
	return nil
}

// find returns the allocations of a pod interface.
func (a *fakeAgent) find(podUID, ifName string) []agentapi.IPConfig {
	var out []agentapi.IPConfig
	for _, al := range a.allocs {
		if al.podUID == podUID && al.ip.NIC == ifName {
			out = append(out, al.ip)
		}
	}
	return out
}

// releaseWhere frees the allocations that match.
func (a *fakeAgent) releaseWhere(match func(fakeAllocation) bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.allocs = slices.DeleteFunc(a.allocs, func(al fakeAllocation) bool {
		if !match(al) {
			return false
		}
		pool := a.pools[al.ip.IPPool]
		pool.free = append(pool.free, netip.MustParsePrefix(al.ip.Address).Addr())
		return true
	})
}

func (a *fakeAgent) Release(_ context.Context, req *agentapi.DelRequest) error {
	if a.onRelease != nil {
		a.onRelease(req)
	}
	a.releaseWhere(func(al fakeAllocation) bool { return al.containerID == req.ContainerID && al.ip.NIC == req.IfName })
	return nil
}

func (a *fakeAgent) ReleaseAll(_ context.Context, req *agentapi.BatchDelRequest) error {
	a.mu.Lock()
	a.batches = append(a.batches, *req)
	a.mu.Unlock()
	a.releaseWhere(func(al fakeAllocation) bool { return al.containerID == req.ContainerID })
	return nil
}

func (a *fakeAgent) Check(_ context.Context, req *agentapi.CheckRequest) (*agentapi.CheckResponse, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	ips := a.find(req.PodUID, req.IfName)
	if len(ips) == 0 {
		return nil, agentapi.NewError(agentapi.CodeNotFound, "no allocation for pod UID %s interface %s", req.PodUID, req.IfName)
	}
	return &agentapi.CheckResponse{IPs: ips}, nil
}

func (a *fakeAgent) GC(_ context.Context, req *agentapi.GCRequest) error {
	valid := map[string]bool{}
	for _, at := range req.ValidAttachments {
		valid[at.ContainerID] = true
	}
	a.releaseWhere(func(al fakeAllocation) bool { return !valid[al.containerID] })
	return nil
}

// Allocated lists "containerID/nic/address" of every allocation, sorted.
func (a *fakeAgent) Allocated() []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	var out []string
	for _, al := range a.allocs {
		out = append(out, fmt.Sprintf("%s/%s/%s", al.containerID, al.ip.NIC, al.ip.Address))
	}
	slices.Sort(out)
	return out
}

// runningAgent is a fake agent served on a socket of its own.
type runningAgent struct {
	*fakeAgent
	socket string
	stop   func()
}

// startAgent serves a new fake agent on a fresh socket in the node's
// socket directory until stop or the end of the test.
func (e *netnsEnv) startAgent(t testing.TB) *runningAgent {
	t.Helper()
	return startAgentAt(t, filepath.Join(netconf.RootsUnder(e.root).Socket, utils.RandomSuffix(t), "spiderpool.sock"))
}

// startAgentAt serves a new fake agent on socket.
func startAgentAt(t testing.TB, socket string) *runningAgent {
	t.Helper()
	a := &runningAgent{fakeAgent: newFakeAgent(), socket: socket}
	l, err := agentapi.Listen(a.socket)
	if err != nil {
		t.Fatalf("listen: %v", err)
	}
	ctx, cancel := context.WithCancel(context.WithoutCancel(t.Context()))
	done := make(chan error, 1)
	go func() { done <- agentserver.New(a.fakeAgent).Serve(ctx, l) }()
	var once sync.Once
	a.stop = func() {
		once.Do(func() {
			cancel()
			if err := <-done; err != nil {
				t.Errorf("fake agent: %v", err)
			}
		})
	}
	t.Cleanup(a.stop)
	return a
}
