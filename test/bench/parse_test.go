// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package bench_test

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/spiderpool-go/spiderpool/internal/cni/ipamplugin"
	"github.com/spiderpool-go/spiderpool/test/bench"
)

const apiMetrics = `# HELP apiserver_request_total [STABLE] Counter of apiserver requests
# TYPE apiserver_request_total counter
apiserver_request_total{code="200",component="apiserver",dry_run="",group="spiderpool.spidernet.io",resource="spiderippools",scope="resource",subresource="",verb="GET",version="v2beta1"} 40
apiserver_request_total{code="200",component="apiserver",dry_run="",group="spiderpool.spidernet.io",resource="spiderippools",scope="resource",subresource="status",verb="PUT",version="v2beta1"} 12
apiserver_request_total{code="409",component="apiserver",dry_run="",group="spiderpool.spidernet.io",resource="spiderippools",scope="resource",subresource="status",verb="PUT",version="v2beta1"} 3
apiserver_request_total{code="201",component="apiserver",dry_run="",group="spiderpool.spidernet.io",resource="spiderendpoints",scope="resource",subresource="",verb="POST",version="v2beta1"} 1e+01
apiserver_request_total{code="409",component="apiserver",dry_run="",group="",resource="pods",scope="resource",subresource="",verb="PUT",version="v1"} 7
apiserver_request_duration_seconds_bucket{group="spiderpool.spidernet.io",le="0.005"} 99
`

func TestParseAPICounts(t *testing.T) {
	got, err := bench.ParseAPICounts(strings.NewReader(apiMetrics))
	if err != nil {
		t.Fatal(err)
	}
	want := bench.APICounts{Requests: 65, Writes: 25, Conflicts: 3}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("counts (-want +got):\n%s", diff)
	}
}

func FuzzParseAPICounts(f *testing.F) {
	f.Add(apiMetrics)
	f.Add(`apiserver_request_total{group="spiderpool.spidernet.io",code="409"} x`)
	f.Add(`apiserver_request_total{group} 1`)
	f.Fuzz(func(t *testing.T, s string) {
		// Any input: no panic, and the same counts on a second read.
		a, errA := bench.ParseAPICounts(strings.NewReader(s))
		b, errB := bench.ParseAPICounts(strings.NewReader(s))
		if (errA == nil) != (errB == nil) || (a != b && a == a) {
			t.Errorf("two reads differ: %+v %v, %+v %v", a, errA, b, errB)
		}
	})
}

func TestParseMicro(t *testing.T) {
	out := `goos: linux
BenchmarkNextFree/pool=v4-len24/allocated=0/contiguous-2   	12345678	        95.2 ns/op	       0 B/op	       0 allocs/op
BenchmarkContention/agents=10-2        	     200	  52664516 ns/op	        18.99 allocs/s	         2.265 conflicts/alloc
BenchmarkBroken-2 x 1 ns/op
PASS
ok  	x	1.0s
`
	got, err := bench.ParseMicro(strings.NewReader(out))
	if err != nil {
		t.Fatal(err)
	}
	want := []bench.MicroResult{
		{Name: "BenchmarkNextFree/pool=v4-len24/allocated=0/contiguous", Iterations: 12345678,
			Metrics: map[string]float64{"ns/op": 95.2, "B/op": 0, "allocs/op": 0}},
		{Name: "BenchmarkContention/agents=10", Iterations: 200,
			Metrics: map[string]float64{"ns/op": 52664516, "allocs/s": 18.99, "conflicts/alloc": 2.265}},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("results (-want +got):\n%s", diff)
	}
}

func FuzzParseMicro(f *testing.F) {
	f.Add("BenchmarkX-8 10 1.5 ns/op 0 B/op")
	f.Add("Benchmark 1 2 3")
	f.Fuzz(func(t *testing.T, s string) {
		got, err := bench.ParseMicro(strings.NewReader(s))
		if err != nil {
			return
		}
		for _, m := range got {
			if !strings.HasPrefix(m.Name, "Benchmark") || len(m.Metrics) == 0 {
				t.Errorf("parsed %q into %+v", s, m)
			}
		}
	})
}

func TestParseTimings(t *testing.T) {
	log := `{"ts":"2026-01-02T03:04:05Z","level":"info","msg":"cni command done","command":"ADD","containerID":"c","ifName":"eth0","durationMs":12.5}
not json
{"ts":"2026-01-02T03:04:06Z","level":"info","msg":"something else","command":"ADD"}
`
	got, err := bench.ParseTimings(strings.NewReader(log))
	if err != nil {
		t.Fatal(err)
	}
	want := []ipamplugin.TimingLine{{Time: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), Level: "info", Msg: ipamplugin.TimingMessage,
		Command: "ADD", ContainerID: "c", IfName: "eth0", DurationMs: 12.5}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("lines (-want +got):\n%s", diff)
	}
}

func FuzzParseTimings(f *testing.F) {
	f.Add(`{"msg":"cni command done","command":"DEL","durationMs":1}`)
	f.Add("{\n}")
	f.Fuzz(func(t *testing.T, s string) {
		got, err := bench.ParseTimings(strings.NewReader(s))
		if err != nil {
			return
		}
		for _, l := range got {
			if l.Msg != ipamplugin.TimingMessage {
				t.Errorf("kept a line with msg %q", l.Msg)
			}
		}
	})
}
