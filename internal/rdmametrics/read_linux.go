// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package rdmametrics

import (
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/safchain/ethtool"
	"github.com/vishvananda/netlink"
	"github.com/vishvananda/netlink/nl"
	"golang.org/x/sys/unix"
)

// sysClassInfiniband is where the kernel lists the RDMA devices in sysfs.
const sysClassInfiniband = "/sys/class/infiniband"

// cmdPortGet is RDMA_NLDEV_CMD_PORT_GET, which vishvananda/netlink does not
// wrap; its answer names the port's netdev.
const cmdPortGet = 5

// ReadDevices reads every RDMA device visible in the calling thread's
// network namespace: netlink for the devices and counters, ethtool for the
// netdev statistics and speed, sysfs for the parent and traffic class (both
// best effort: a device moved into a pod netns is not in the host's sysfs).
func ReadDevices() ([]Device, error) {
	links, err := netlink.RdmaLinkList()
	if err != nil {
		return nil, fmt.Errorf("list RDMA devices over netlink: %w", err)
	}
	var et *ethtool.Ethtool
	defer func() {
		if et != nil {
			et.Close()
		}
	}()
	out := make([]Device, 0, len(links))
	for _, l := range links {
		d, err := readDevice(l)
		if err != nil {
			return nil, err
		}
		if d.NetDev != "" {
			if et == nil {
				if et, err = ethtool.NewEthtool(); err != nil {
					return nil, fmt.Errorf("open ethtool socket: %w", err)
				}
			}
			readNetDev(et, &d)
		}
		out = append(out, d)
	}
	return out, nil
}

func readDevice(l *netlink.RdmaLink) (Device, error) {
	d := Device{Name: l.Attrs.Name, NodeGUID: l.Attrs.NodeGuid, SysImageGUID: l.Attrs.SysImageGuid}
	st, err := netlink.RdmaStatistic(l)
	if err != nil {
		return d, fmt.Errorf("read statistics of RDMA device %s: %w", d.Name, err)
	}
	for _, p := range st.RdmaPortStatistics {
		d.Ports = append(d.Ports, Port{Index: p.PortIndex, Counters: p.Statistics})
	}
	if l.Attrs.NumPorts > 0 {
		if d.NetDev, err = netDevOf(l.Attrs.Index, 1); err != nil {
			return d, fmt.Errorf("netdev of RDMA device %s: %w", d.Name, err)
		}
	}
	d.Parent = parentOf(d.Name)
	if content, err := os.ReadFile(filepath.Join(sysClassInfiniband, d.Name, "tc", "1", "traffic_class")); err == nil {
		if tos, ok, err := ParseTrafficClass(string(content)); err == nil && ok {
			d.TOS = &tos
		}
	}
	return d, nil
}

// netDevOf asks the kernel for the netdev of port of RDMA device index.
func netDevOf(index, port uint32) (string, error) {
	req := nl.NewNetlinkRequest(nl.RDMA_NL_NLDEV<<nl.RDMA_NL_GET_CLIENT_SHIFT|cmdPortGet, unix.NLM_F_REQUEST|unix.NLM_F_ACK)
	req.AddData(nl.NewRtAttr(nl.RDMA_NLDEV_ATTR_DEV_INDEX, binary.NativeEndian.AppendUint32(nil, index)))
	req.AddData(nl.NewRtAttr(attrPortIndex, binary.NativeEndian.AppendUint32(nil, port)))
	msgs, err := req.Execute(unix.NETLINK_RDMA, 0)
	if err != nil {
		return "", err
	}
	if len(msgs) != 1 {
		return "", fmt.Errorf("port query answered with %d messages, want 1", len(msgs))
	}
	return ParseNetDevName(msgs[0])
}

// parentOf returns the RDMA device of the physical function when dev is a
// virtual function, from sysfs; "" when it is not or sysfs does not say.
func parentOf(dev string) string {
	entries, err := os.ReadDir(filepath.Join(sysClassInfiniband, dev, "device", "physfn", "infiniband"))
	if err != nil || len(entries) == 0 {
		return ""
	}
	return entries[0].Name()
}

// readNetDev adds the ethtool statistics and link speed of d.NetDev; a
// netdev without statistics (a virtual function of some drivers) keeps nil.
func readNetDev(et *ethtool.Ethtool, d *Device) {
	if stats, err := et.Stats(d.NetDev); err == nil {
		d.Ethtool = stats
	}
	var cmd ethtool.EthtoolCmd
	if speed, err := et.CmdGet(&cmd, d.NetDev); err == nil && speed != 0 && speed != ^uint32(0) {
		s := uint64(speed)
		d.SpeedMbps = &s
	}
}

// NetnsMode returns the RDMA subsystem's netns mode, "shared" or
// "exclusive".
func NetnsMode() (string, error) {
	mode, err := netlink.RdmaSystemGetNetnsMode()
	if err != nil {
		return "", fmt.Errorf("read the RDMA netns mode over netlink: %w", err)
	}
	return mode, nil
}

// Unsupported reports whether err means the node has no RDMA netlink
// family (the ib_core module is not loaded).
func Unsupported(err error) bool {
	return errors.Is(err, unix.EPROTONOSUPPORT) || errors.Is(err, unix.EOPNOTSUPP) || errors.Is(err, os.ErrNotExist) ||
		strings.Contains(err.Error(), "protocol not supported")
}
