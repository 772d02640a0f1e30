// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package micro_test

import (
	"fmt"
	"net/netip"
	"runtime"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/interceptor"

	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
	"github.com/spiderpool-go/spiderpool/internal/ipam"
	"github.com/spiderpool-go/spiderpool/internal/ipam/ipamtest"
)

// The agent state BenchmarkAgentMemory builds.
const (
	memPools       = 10
	memAllocations = 20000
)

// BenchmarkAgentMemory builds the agent-side state for 10 /16 pools holding
// 20,000 allocations between them: the pool objects in a client's store
// (the agent's informer cache holds them the same way) and an ipam.Service
// restored from them (parsed records and allocators). It reports the live
// heap (after GC) of the pool objects and of the service.
func BenchmarkAgentMemory(b *testing.B) {
	for b.Loop() {
		base := liveHeap()
		c := ipamtest.NewClient(interceptor.Funcs{}, memoryPools()...)
		withPools := liveHeap()
		svc, err := ipam.New(ipam.Config{EnableIPv4: true, NodeName: "node-0"}, ipam.Deps{Cache: c, API: c, Store: ipamtest.NewStore(c)})
		if err != nil {
			b.Fatal(err)
		}
		if err := svc.Restore(b.Context()); err != nil {
			b.Fatal(err)
		}
		withService := liveHeap()
		b.ReportMetric((withPools-base)/(1<<20), "pools-heap-MiB")
		b.ReportMetric((withService-withPools)/(1<<20), "service-heap-MiB")
		b.ReportMetric((withService-base)/(1<<20), "total-heap-MiB")
		runtime.KeepAlive(svc)
		runtime.KeepAlive(c)
	}
}

// memoryPools returns the pools: pool i is 10.(100+i).0.0/16, its first
// memAllocations/memPools addresses allocated to distinct pods.
func memoryPools() []client.Object {
	out := make([]client.Object, 0, memPools)
	for i := range memPools {
		subnet := netip.PrefixFrom(netip.AddrFrom4([4]byte{10, byte(100 + i), 0, 0}), 16)
		recs := spiderpoolv2beta1.PoolIPAllocations{}
		a := subnet.Addr().Next()
		for j := range memAllocations / memPools {
			a = a.Next()
			recs[a.String()] = spiderpoolv2beta1.NewPoolIPAllocation("bench", fmt.Sprintf("pod-%d-%d", i, j), string(types.UID(fmt.Sprintf("00000000-0000-0000-%04d-%012d", i, j))))
		}
		out = append(out, &spiderpoolv2beta1.SpiderIPPool{
			ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("mem-%d", i)},
			Spec: spiderpoolv2beta1.IPPoolSpec{IPVersion: ptr.To(spiderpoolv2beta1.IPv4), Subnet: subnet.String(),
				IPs: []string{fmt.Sprintf("10.%d.0.2-10.%d.255.254", 100+i, 100+i)}, Gateway: ptr.To(fmt.Sprintf("10.%d.0.1", 100+i))},
			Status: spiderpoolv2beta1.IPPoolStatus{AllocatedIPs: spiderpoolv2beta1.FormatAllocatedIPs(recs),
				AllocatedIPCount: ptr.To(int64(len(recs)))},
		})
	}
	return out
}

// liveHeap returns the bytes of live heap objects after two collections.
func liveHeap() float64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return float64(m.HeapAlloc)
}
