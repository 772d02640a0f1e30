// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package micro_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/spiderpool-go/spiderpool/internal/ipam"
	"github.com/spiderpool-go/spiderpool/internal/ipam/ipamtest"
	"github.com/spiderpool-go/spiderpool/internal/ipam/poolview"
	"github.com/spiderpool-go/spiderpool/internal/store/kube"
)

// BenchmarkPoolWatch compares how agents watch pools, on the load of
// BenchmarkContention's "agents=10/inflight=5" case but with a cache per
// agent, as real agents have: "full" is an informer of whole pools (every
// agent decodes every write of the pool), "metadata" a metadata-only
// informer and poolview (an agent reads the pool whole only when it
// writes it and another agent moved it). Besides the throughput and
// conflicts it reports the CPU the benchmark process used per allocation
// (every agent and its cache) and the envtest kube-apiserver's.
func BenchmarkPoolWatch(b *testing.B) {
	for _, mode := range []string{"full", "metadata"} {
		b.Run("watch="+mode, func(b *testing.B) {
			const k, inflight = 10, 5
			pods := createContention(b, k, b.N)
			agents := make([]*ipam.Service, k)
			views := make([]*poolview.View, k)
			for i := range agents {
				agents[i], views[i] = newWatchingAgent(b, fmt.Sprintf("node-%d", i), mode == "metadata")
			}
			apiPID := apiServerPID()
			selfCPU, apiCPU := processCPU(), pidCPU(apiPID)
			b.ResetTimer()
			start := time.Now()
			allocateAll(b, agents, pods, inflight)
			elapsed := time.Since(start)
			b.StopTimer()
			n := float64(b.N)
			var st ipam.Stats
			var reads uint64
			for i, a := range agents {
				s := a.Stats()
				st.PoolConflicts += s.PoolConflicts
				st.PoolWrites += s.PoolWrites
				if views[i] != nil {
					reads += views[i].Reads()
				}
			}
			b.ReportMetric(n/elapsed.Seconds(), "allocs/s")
			b.ReportMetric(float64(st.PoolConflicts)/n, "conflicts/alloc")
			b.ReportMetric(float64(st.PoolWrites)/n, "pool-writes/alloc")
			b.ReportMetric(float64(reads)/n, "view-reads/alloc")
			b.ReportMetric((processCPU()-selfCPU).Seconds()*1000/n, "agents-cpu-ms/alloc")
			if apiPID > 0 {
				b.ReportMetric((pidCPU(apiPID)-apiCPU).Seconds()*1000/n, "apiserver-cpu-ms/alloc")
			}
		})
	}
}

// newWatchingAgent returns a ready agent for node with a cache of its own:
// whole pools, or pool metadata and a poolview.
func newWatchingAgent(b *testing.B, node string, metadata bool) (*ipam.Service, *poolview.View) {
	b.Helper()
	opts := cache.Options{Scheme: ipamtest.Scheme()}
	if metadata {
		opts.ByObject = map[client.Object]cache.ByObject{poolview.NewMeta(): {}}
	}
	c, err := cache.New(apiServer.cfg, opts)
	if err != nil {
		b.Fatal(err)
	}
	api, err := newClient()
	if err != nil {
		b.Fatal(err)
	}
	var view *poolview.View
	deps := ipam.Deps{Cache: c, API: api, Store: kube.New(api)}
	if metadata {
		view = poolview.New(c, api)
		deps.Pools = view
	}
	go func() { _ = c.Start(b.Context()) }()
	if !c.WaitForCacheSync(b.Context()) {
		b.Fatal("agent cache did not sync")
	}
	svc, err := ipam.New(ipam.Config{EnableIPv4: true, EnableIPv6: true, NodeName: node, AgentNamespace: "kube-system"}, deps)
	if err != nil {
		b.Fatal(err)
	}
	if err := svc.Restore(b.Context()); err != nil {
		b.Fatal(err)
	}
	return svc, view
}

// processCPU is the user + system CPU this process has used.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// apiServerPID finds the envtest kube-apiserver this process started; 0
// when there is none.
func apiServerPID() int {
	self := strconv.Itoa(os.Getpid())
	dirs, _ := filepath.Glob("/proc/[0-9]*")
	for _, d := range dirs {
		stat, err := os.ReadFile(filepath.Join(d, "stat"))
		if err != nil {
			continue
		}
		f := statFields(string(stat))
		if len(f) > 1 && f[1] == self && strings.Contains(string(stat), "(kube-apiserver)") {
			pid, _ := strconv.Atoi(filepath.Base(d))
			return pid
		}
	}
	return 0
}

// pidCPU is the user + system CPU of process pid (clock ticks of 10 ms).
func pidCPU(pid int) time.Duration {
	if pid <= 0 {
		return 0
	}
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	f := statFields(string(stat))
	if len(f) < 13 {
		return 0
	}
	utime, _ := strconv.ParseInt(f[11], 10, 64)
	stime, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(utime+stime) * 10 * time.Millisecond
}

// statFields returns the fields of /proc/<pid>/stat after the command
// name: state, ppid, ... (utime is [11], stime [12]).
func statFields(stat string) []string {
	i := strings.LastIndexByte(stat, ')')
	if i < 0 {
		return nil
	}
	return strings.Fields(stat[i+1:])
}
