// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package rdmametrics

import (
	"sort"
	"strconv"
	"strings"
	"unicode"
)

// Label names of the RDMA series (Spiderpool's).
const (
	LabelNodeName     = "node_name"
	LabelIfName       = "ifname"
	LabelNetDevName   = "net_dev_name"
	LabelNodeGUID     = "node_guid"
	LabelSysImageGUID = "sys_image_guid"
	LabelIsRoot       = "is_root"
	LabelParent       = "rdma_parent_name"
	LabelPriority     = "priority"
	LabelPodNamespace = "pod_namespace"
	LabelPodName      = "pod_name"
)

// Device is one RDMA device as read from its network namespace.
type Device struct {
	// Name is the RDMA device name (ifname), e.g. mlx5_0.
	Name string
	// NodeGUID and SysImageGUID are the device's GUIDs as netlink prints
	// them (colon-separated bytes).
	NodeGUID, SysImageGUID string
	// NetDev is the netdev of the device's first port; empty when it has
	// none (an InfiniBand port without IPoIB).
	NetDev string
	// Parent is the RDMA device of the physical function when the device is
	// a virtual function; empty otherwise.
	Parent string
	// Ports holds the hardware counters of every port.
	Ports []Port
	// Ethtool holds the ethtool statistics of NetDev; nil when unread.
	Ethtool map[string]uint64
	// SpeedMbps is NetDev's link speed; nil when unknown.
	SpeedMbps *uint64
	// TOS is the RoCE traffic class of the device; nil when unknown.
	TOS *uint64
}

// Port is the counters of one port, as `rdma statistic show` lists them.
type Port struct {
	Index    uint32
	Counters map[string]uint64
}

// Pod names the pod a network namespace belongs to.
type Pod struct {
	Namespace, Name string
}

// Snapshot is what was read from one network namespace.
type Snapshot struct {
	// IsRoot is true for the host network namespace.
	IsRoot bool
	// Pod is the pod of a non-root namespace when known.
	Pod *Pod
	// Devices are the RDMA devices visible in the namespace.
	Devices []Device
}

// Sample is one series: a counter named Name with Labels.
type Sample struct {
	Name   string
	Labels map[string]string
	Value  float64
}

// LabelNames returns the sample's label names, sorted.
func (s Sample) LabelNames() []string {
	names := make([]string, 0, len(s.Labels))
	for n := range s.Labels {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// MetricName returns the exposition name of RDMA counter key:
// rdma_<snake_case key>_total.
func MetricName(key string) string {
	return "rdma_" + SnakeCase(key) + "_total"
}

// SnakeCase turns a counter name into a metric name part: CamelCase words
// are split with underscores, lower-cased, and every character outside
// [a-z0-9_] becomes an underscore ("ip4InReceives" is "ip4_in_receives").
func SnakeCase(key string) string {
	var b strings.Builder
	runes := []rune(key)
	for i, r := range runes {
		switch {
		case r >= 'A' && r <= 'Z':
			if i > 0 && (unicode.IsLower(runes[i-1]) || unicode.IsDigit(runes[i-1]) ||
				(i+1 < len(runes) && unicode.IsLower(runes[i+1]) && unicode.IsUpper(runes[i-1]))) {
				b.WriteByte('_')
			}
			b.WriteRune(unicode.ToLower(r))
		case (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') || r == '_':
			b.WriteRune(r)
		default:
			b.WriteByte('_')
		}
	}
	return b.String()
}

// Samples returns the series of every device of snap on node, sorted by
// name and labels.
func Samples(node string, snap Snapshot) []Sample {
	var out []Sample
	for _, d := range snap.Devices {
		base := baseLabels(node, snap, d)
		for key, v := range portTotals(d.Ports) {
			out = append(out, Sample{Name: MetricName(key), Labels: base, Value: float64(v)})
		}
		out = append(out, ethtoolSamples(d.Ethtool, base)...)
		if d.SpeedMbps != nil {
			out = append(out, Sample{Name: MetricName(KeyVportSpeed), Labels: base, Value: float64(*d.SpeedMbps)})
		}
		if d.TOS != nil {
			tos := map[string]string{LabelNodeName: node, LabelIfName: d.Name, LabelNetDevName: d.NetDev}
			out = append(out, Sample{Name: MetricName(KeyDeviceTOS), Labels: tos, Value: float64(*d.TOS)})
		}
	}
	sortSamples(out)
	return out
}

// portTotals sums each counter over the ports of a device: the series
// have no port label (a RoCE device has one port).
func portTotals(ports []Port) map[string]uint64 {
	out := map[string]uint64{}
	for _, p := range ports {
		for key, v := range p.Counters {
			out[key] += v
		}
	}
	return out
}

// baseLabels returns the labels every series of device d carries.
func baseLabels(node string, snap Snapshot, d Device) map[string]string {
	l := map[string]string{
		LabelNodeName: node, LabelIfName: d.Name, LabelNetDevName: d.NetDev,
		LabelNodeGUID: d.NodeGUID, LabelSysImageGUID: d.SysImageGUID, LabelIsRoot: strconv.FormatBool(snap.IsRoot),
	}
	if d.Parent != "" {
		l[LabelParent] = d.Parent
	}
	if snap.Pod != nil {
		l[LabelPodNamespace], l[LabelPodName] = snap.Pod.Namespace, snap.Pod.Name
	}
	return l
}

func sortSamples(s []Sample) {
	key := func(x Sample) string {
		var b strings.Builder
		b.WriteString(x.Name)
		for _, n := range x.LabelNames() {
			b.WriteString("\x00" + n + "=" + x.Labels[n])
		}
		return b.String()
	}
	sort.Slice(s, func(i, j int) bool { return key(s[i]) < key(s[j]) })
}
