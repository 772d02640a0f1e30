// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package bench_test

import (
	"strings"
	"testing"

	"github.com/spiderpool-go/spiderpool/test/bench"
)

func TestParseRequestCounts(t *testing.T) {
	text := `# TYPE apiserver_request_total counter
apiserver_request_total{code="200",component="apiserver",dry_run="",group="spiderpool.spidernet.io",resource="spiderippools",scope="resource",subresource="status",verb="PUT",version="v2beta1"} 7
apiserver_request_total{code="409",component="apiserver",dry_run="",group="spiderpool.spidernet.io",resource="spiderippools",scope="resource",subresource="status",verb="PUT",version="v2beta1"} 3
apiserver_request_total{code="200",component="apiserver",dry_run="",group="",resource="pods",scope="namespace",subresource="",verb="LIST",version="v1"} 2
apiserver_request_total{code="200",component="apiserver",dry_run="",group="",resource="pods",scope="cluster",subresource="",verb="LIST",version="v1"} 1
apiserver_request_duration_seconds_count{verb="GET"} 9
`
	got, err := bench.ParseRequestCounts(strings.NewReader(text))
	if err != nil {
		t.Fatal(err)
	}
	put := bench.RequestKey{Verb: "PUT", Group: "spiderpool.spidernet.io", Resource: "spiderippools", Subresource: "status", Code: "200"}
	list := bench.RequestKey{Verb: "LIST", Resource: "pods", Code: "200"}
	if len(got) != 3 || got[put] != 7 || got[list] != 3 {
		t.Errorf("ParseRequestCounts = %v", got)
	}
	later := bench.RequestCounts{put: 10, list: 3}
	if d := later.Sub(got); len(d) != 1 || d[put] != 3 {
		t.Errorf("Sub = %v, want only the PUTs' 3", d)
	}
	if l := bench.LatencyOf([]float64{3, 1, 2}, 1); l.P50 != 2 || l.Max != 3 || l.Count != 3 || l.Failures != 1 {
		t.Errorf("LatencyOf = %+v", l)
	}
}
