// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package contention

import (
	"encoding/binary"
	"fmt"
	"net/netip"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
	"github.com/spiderpool-go/spiderpool/internal/annotation"
)

// The address plan: every scenario uses the same blocks, one scenario at a
// time (Run waits until the pools of the last one are gone).
var (
	v4Subnet = netip.MustParsePrefix("10.254.0.0/16")
	v6Subnet = netip.MustParsePrefix("fd00:254::/64")
)

// bigPoolSize is the addresses of the /16 of a scenario with foreign
// records: the subnet less its network, gateway and broadcast addresses.
const bigPoolSize = 65533

// podSpec is one pod of a scenario: its name, its node (index into the
// lab's nodes) and the pools it names.
type podSpec struct {
	Name  string
	Node  int
	Pools annotation.IPPool
}

// layout is a scenario's pools and pods.
type layout struct {
	Pools []*spiderpoolv2beta1.SpiderIPPool
	Pods  []podSpec
	// Foreign are the records pre-written into the pool named ForeignPool.
	Foreign     spiderpoolv2beta1.PoolIPAllocations
	ForeignPool string
}

// layoutOf lays scenario s out for pods pods on nodes nodes: pod i goes to
// node i mod len(nodes). Shared pools hold exactly pods addresses (a /16 of
// 65,533 with foreign records); per-node pools exactly their node's pods.
func layoutOf(s Scenario, nodes []string, pods int) layout {
	var l layout
	families := []int64{spiderpoolv2beta1.IPv4}
	if s.DualStack {
		families = append(families, spiderpoolv2beta1.IPv6)
	}
	perNode := make([]int, len(nodes))
	for i := range pods {
		perNode[i%len(nodes)]++
	}
	for _, v := range families {
		if !s.PerNode {
			size := pods
			if s.ForeignRecords > 0 && v == spiderpoolv2beta1.IPv4 {
				size = bigPoolSize
			}
			l.Pools = append(l.Pools, pool(poolName(s, v, -1), v, 0, size, nil))
			continue
		}
		offset := 0
		for n, name := range nodes {
			l.Pools = append(l.Pools, pool(poolName(s, v, n), v, offset, perNode[n], []string{name}))
			offset += perNode[n]
		}
	}
	for i := range pods {
		p := podSpec{Name: fmt.Sprintf("p-%05d", i), Node: i % len(nodes)}
		node := -1
		if s.PerNode {
			node = p.Node
		}
		p.Pools.IPv4 = []string{poolName(s, spiderpoolv2beta1.IPv4, node)}
		if s.DualStack {
			p.Pools.IPv6 = []string{poolName(s, spiderpoolv2beta1.IPv6, node)}
		}
		l.Pods = append(l.Pods, p)
	}
	if s.ForeignRecords > 0 {
		l.ForeignPool, l.Foreign = poolName(s, spiderpoolv2beta1.IPv4, -1), foreignRecords(s.ForeignRecords)
	}
	return l
}

// poolName names the scenario's pool of family v, for node n (-1: shared).
func poolName(s Scenario, v int64, n int) string {
	if n < 0 {
		return fmt.Sprintf("ct-%s-v%d", s.Name, v)
	}
	return fmt.Sprintf("ct-%s-v%d-n%d", s.Name, v, n)
}

// pool is a pool of family v holding size addresses from the offset-th
// usable address of the family's subnet on (the first is the gateway),
// for nodes (nil: every node).
func pool(name string, v int64, offset, size int, nodes []string) *spiderpoolv2beta1.SpiderIPPool {
	subnet := v4Subnet
	if v == spiderpoolv2beta1.IPv6 {
		subnet = v6Subnet
	}
	gw := subnet.Addr().Next()
	first := addrAt(gw, 1+offset)
	return &spiderpoolv2beta1.SpiderIPPool{
		ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec: spiderpoolv2beta1.IPPoolSpec{
			IPVersion: ptr.To(v), Subnet: subnet.String(), Gateway: ptr.To(gw.String()), NodeName: nodes,
			IPs: []string{first.String() + "-" + addrAt(first, size-1).String()},
		},
	}
}

// foreignRecords are n records of pods that do not exist, spread evenly
// over the big pool (every third address for 20,000) so that the
// scenario's allocations fall between them. The UIDs are short: with
// 36-character UIDs 20,000 records make a pool object of about 1.9 MB,
// above the 1.5 MiB etcd accepts by default, and the write is refused.
func foreignRecords(n int) spiderpoolv2beta1.PoolIPAllocations {
	out := make(spiderpoolv2beta1.PoolIPAllocations, n)
	first := addrAt(v4Subnet.Addr(), 2)
	stride := max(bigPoolSize/n, 1)
	for k := range n {
		id := fmt.Sprintf("g%05d", k)
		out[addrAt(first, k*stride).String()] = spiderpoolv2beta1.NewPoolIPAllocation("ghost", id, id)
	}
	return out
}

// addrAt is the address i after a (IPv4, or within the low 64 bits of IPv6).
func addrAt(a netip.Addr, i int) netip.Addr {
	if a.Is4() {
		b := a.As4()
		binary.BigEndian.PutUint32(b[:], binary.BigEndian.Uint32(b[:])+uint32(i)) //nolint:gosec // i is below the pool's size
		return netip.AddrFrom4(b)
	}
	b := a.As16()
	binary.BigEndian.PutUint64(b[8:], binary.BigEndian.Uint64(b[8:])+uint64(i)) //nolint:gosec // i is below the pool's size
	return netip.AddrFrom16(b)
}

// annotationValue is the pod's ipam.spidernet.io/ippool value.
func annotationValue(p annotation.IPPool) string {
	if len(p.IPv6) == 0 {
		return fmt.Sprintf(`{"ipv4":[%q]}`, p.IPv4[0])
	}
	return fmt.Sprintf(`{"ipv4":[%q],"ipv6":[%q]}`, p.IPv4[0], p.IPv6[0])
}
