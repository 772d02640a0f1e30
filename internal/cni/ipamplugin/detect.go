// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package ipamplugin

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"time"

	"github.com/containernetworking/cni/pkg/types"

	"github.com/spiderpool-go/spiderpool/internal/agentapi"
	"github.com/spiderpool-go/spiderpool/internal/cni/detect"
	"github.com/spiderpool-go/spiderpool/internal/cni/netconf"
)

// Detector probes the wire from inside the pod's network namespace
// (package detect).
type Detector interface {
	// Check runs the conflict and gateway checks of targets; it sends
	// nothing when none is asked for.
	Check(netnsPath, ifName string, targets []detect.Target) error
	// Announce sends gratuitous ARP and unsolicited NA for addrs.
	Announce(netnsPath, ifName string, addrs []netip.Addr) error
}

// wireDetector is [Detector] on the real network.
type wireDetector struct{ timing detect.Timing }

func (w wireDetector) Check(netnsPath, ifName string, targets []detect.Target) error {
	return detect.Check(netnsPath, ifName, targets, w.timing)
}

// Announce does not wait for the IPv6 link-local address: when no IPv6
// check ran it may still be tentative, and then no NA is sent.
func (w wireDetector) Announce(netnsPath, ifName string, addrs []netip.Addr) error {
	return detect.Announce(netnsPath, ifName, addrs, 0)
}

// targetsOf returns the checks the agent asked for on ifName's addresses
// (the switches come with every address) and those addresses.
func targetsOf(resp *agentapi.AddResponse, ifName string) ([]detect.Target, []netip.Addr) {
	var targets []detect.Target
	var addrs []netip.Addr
	for _, ip := range resp.IPs {
		if ip.NIC != ifName {
			continue
		}
		prefix, err := netip.ParsePrefix(ip.Address)
		if err != nil {
			continue // buildResult reports it
		}
		gw, _ := netip.ParseAddr(ip.Gateway)
		targets = append(targets, detect.Target{IP: prefix.Addr(), Gateway: gw,
			Conflict: ip.EnableIPConflictDetection, GatewayCheck: ip.EnableGatewayDetection})
		addrs = append(addrs, prefix.Addr())
	}
	return targets, addrs
}

// checkWire runs the checks the agent asked for and then announces the
// addresses (a failed announcement is only logged). On a conflict or an
// unreachable gateway it asks the agent to release the pod's addresses
// and keep the conflicting one from every pod, and fails the ADD so the
// runtime retries (docs/reference/behaviour.md §7).
func (p *Plugin) checkWire(ctx context.Context, c Client, req *agentapi.AddRequest, resp *agentapi.AddResponse, warn func(string, error)) error {
	if p.Detector == nil {
		return nil
	}
	targets, addrs := targetsOf(resp, req.IfName)
	err := p.Detector.Check(req.NetNamespace, req.IfName, targets)
	if err == nil {
		if aerr := p.Detector.Announce(req.NetNamespace, req.IfName, addrs); aerr != nil {
			warn("gratuitous ARP / unsolicited NA failed", aerr)
		}
		return nil
	}
	finding := findingOf(req.IfName, err, resp)
	if finding == nil {
		return types.NewError(types.ErrInternal, fmt.Sprintf("IP conflict and gateway detection on %s: %v", req.IfName, err), "")
	}
	rel := &agentapi.BatchDelRequest{ContainerID: req.ContainerID, NetNamespace: req.NetNamespace,
		PodNamespace: req.PodNamespace, PodName: req.PodName, PodUID: req.PodUID,
		IsReleaseConflictIPs: true, Detection: finding}
	details := "the pod's addresses were released; the runtime retries the ADD"
	if rerr := c.ReleaseAll(ctx, rel); rerr != nil {
		details = "the agent kept the pod's addresses: " + rerr.Error()
	}
	return types.NewError(types.ErrTryAgainLater, err.Error(), details)
}

// findingOf turns a conflict or an unreachable gateway into the report
// for the agent, with the pool of the address concerned; nil for any other
// failure.
func findingOf(ifName string, err error, resp *agentapi.AddResponse) *agentapi.Detection {
	var conflict *detect.ConflictError
	var gw *detect.GatewayError
	switch {
	case errors.As(err, &conflict):
		return &agentapi.Detection{IfName: ifName, ConflictIP: conflict.IP.String(), ConflictMAC: conflict.MAC.String(),
			IPPool: poolOf(resp, ifName, func(ip agentapi.IPConfig, a netip.Addr) bool { return a == conflict.IP })}
	case errors.As(err, &gw):
		return &agentapi.Detection{IfName: ifName, UnreachableGateway: gw.Gateway.String(),
			IPPool: poolOf(resp, ifName, func(ip agentapi.IPConfig, _ netip.Addr) bool { return ip.Gateway == gw.Gateway.String() })}
	}
	return nil
}

// poolOf returns the pool of the first address of ifName that match
// accepts.
func poolOf(resp *agentapi.AddResponse, ifName string, match func(agentapi.IPConfig, netip.Addr) bool) string {
	for _, ip := range resp.IPs {
		if p, err := netip.ParsePrefix(ip.Address); err == nil && ip.NIC == ifName && match(ip, p.Addr()) {
			return ip.IPPool
		}
	}
	return ""
}

// warnLine is a warning the plugin appends to its log file.
type warnLine struct {
	Time    time.Time `json:"ts"`
	Level   string    `json:"level"`
	Msg     string    `json:"msg"`
	Command string    `json:"command"`
	Error   string    `json:"error"`
}

// warner returns a function that logs a failure that does not fail the
// command, in the log file if log_level lets warnings through.
func (p *Plugin) warner(command string, conf *netconf.NetConf) func(string, error) {
	return func(msg string, err error) {
		if !levelEnabled(conf.IPAM.LogLevel, "warn") {
			return
		}
		line := appendJSON(nil, warnLine{Time: p.now().UTC(), Level: "warn", Msg: msg, Command: command, Error: err.Error()})
		if logErr := appendLog(conf.IPAM.LogFilePath, conf.IPAM.LogFileMaxSize, line); logErr != nil {
			_, _ = fmt.Fprintf(p.stderr(), "spiderpool: %s: %v (and the log: %v)\n", msg, err, logErr)
		}
	}
}
