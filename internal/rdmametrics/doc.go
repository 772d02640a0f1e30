// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

// Package rdmametrics exports the statistic counters of the node's RDMA
// devices as Prometheus counters under Spiderpool's names: rdma_<key>_total
// with the labels node_name, ifname, net_dev_name, node_guid,
// sys_image_guid, is_root and, for a virtual function, rdma_parent_name
// (docs/metrics.md, "RDMA metrics").
//
// The core is pure: Samples turns what was read from one network namespace
// (a Snapshot: the RDMA devices with their per-port hardware counters, the
// ethtool statistics of each device's netdev, its link speed and RoCE
// traffic class) into metric samples. The reading side (read_linux.go)
// fills Snapshots through the RDMA netlink family with
// github.com/vishvananda/netlink (RdmaLinkList, RdmaStatistic,
// RdmaSystemGetNetnsMode, plus a port query for the netdev name), ethtool
// ioctls with github.com/safchain/ethtool and a few sysfs files. It reads
// the host netns and, only when the RDMA subsystem is in exclusive netns
// mode, every pod netns it finds (Scanner). Collector caches the samples
// between scrapes, so that a scrape costs at most one scan per interval.
package rdmametrics
