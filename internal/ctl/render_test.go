// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package ctl

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/yaml"

	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
)

var renderNow = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

func TestRenderTables(t *testing.T) {
	since := metav1.NewTime(renderNow.Add(-90 * time.Second))
	tests := []struct {
		name   string
		report table
		want   string
	}{{
		name: "pool list",
		report: PoolList{Pools: []PoolRow{
			{Name: "default-v4", IPVersion: 4, Subnet: "10.250.0.0/16", Used: 2, Free: 239, Total: 241, Default: true},
			{Name: "gone-v6", IPVersion: 6, Subnet: "fd00::/64", Terminating: true, Error: "bad"},
			{Name: "auto4-web-eth0-1a2b3", IPVersion: 4, Subnet: "10.7.0.0/24", Used: 1, Free: 2, Total: 3, Application: "Deployment ns/web"},
		}},
		want: `
NAME                  VERSION  SUBNET         USED  FREE  TOTAL  RESERVED  DEFAULT  DISABLED  TERMINATING  APPLICATION        ERROR
default-v4            IPv4     10.250.0.0/16  2     239   241    0         yes      no        no           -                  -
gone-v6               IPv6     fd00::/64      0     0     0      0         no       no        yes          -                  bad
auto4-web-eth0-1a2b3  IPv4     10.7.0.0/24    1     2     3      0         no       no        no           Deployment ns/web  -
`,
	}, {
		name: "subnet list",
		report: SubnetList{Subnets: []SubnetRow{
			{Name: "sub4", IPVersion: 4, Subnet: "10.7.0.0/24", Pools: []string{"auto4-web-eth0-1a2b3", "manual"},
				PreAllocated: 13, Used: 4, Free: 87, Total: 100},
			{Name: "empty6", IPVersion: 6, Subnet: "fd07::/64", Pools: []string{}, Total: 10},
		}},
		want: `
NAME    VERSION  SUBNET       POOLS                        PRE-ALLOCATED  USED  FREE  TOTAL  TERMINATING  ERROR
sub4    IPv4     10.7.0.0/24  auto4-web-eth0-1a2b3,manual  13             4     87    100    no           -
empty6  IPv6     fd07::/64    -                            0              0     0     10     no           -
`,
	}, {
		name:   "ip show, free",
		report: IPReport{IP: "10.0.0.1"},
		want: `
10.0.0.1: not allocated (no pool record, no SpiderEndpoint)
`,
	}, {
		name: "ip show, held",
		report: IPReport{IP: "10.0.0.1", Holders: []Holding{{
			Pool: "p4", Pod: "ns/a", UID: "u1", Node: "n1", NIC: "eth0", Recorded: true, Endpoint: true,
			Since: &since, Alive: true, State: "pod is alive",
		}}},
		want: `
IP        POOL  POD   UID  NODE  INTERFACE  RECORDED  ENDPOINT  SINCE                             ALIVE  STATE
10.0.0.1  p4    ns/a  u1   n1    eth0       yes       yes       1m30s ago (2026-01-02T03:02:35Z)  yes    pod is alive
`,
	}, {
		name: "check",
		report: CheckReport{Pools: 1, Records: 2, Endpoints: 1, Problems: 1, Findings: []Finding{
			{Kind: KindLeakedRecord, Problem: true, IP: "10.0.0.2", Pool: "p4", Pod: "ns/ghost", UID: "u9", Detail: "pod is gone"},
			{Kind: KindKeptByDesign, IP: "10.0.0.3", Pool: "p4", Pod: "ns/sts-0", UID: "u5", Detail: "kept"},
		}},
		want: `
SEVERITY  KIND            IP        POOL  POD       UID  DETAIL
PROBLEM   leaked-record   10.0.0.2  p4    ns/ghost  u9   pod is gone
note      kept-by-design  10.0.0.3  p4    ns/sts-0  u5   kept

checked 1 pools, 2 records, 1 endpoints: 1 problem(s), 1 note(s)
`,
	}, {
		name:   "check, clean",
		report: CheckReport{Pools: 2, Records: 0, Endpoints: 0},
		want: `
checked 2 pools, 0 records, 0 endpoints: 0 problem(s), 0 note(s)
`,
	}, {
		name: "release, dry run",
		report: ReleaseReport{IP: "10.0.0.2", DryRun: true, Actions: []Action{
			{Op: OpRemoveRecord, Pool: "p4", Pod: "ns/ghost", UID: "u9", Result: resultPlanned},
		}},
		want: `
IP        OP             POOL  ENDPOINT  POD       UID  RESULT
10.0.0.2  remove-record  p4    -         ns/ghost  u9   planned
dry run: nothing written
`,
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := Render(&buf, FormatTable, tt.report, renderNow); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(strings.TrimPrefix(tt.want, "\n"), buf.String()); diff != "" {
				t.Errorf("table (-want +got):\n%s", diff)
			}
		})
	}
}

func TestRenderPodTable(t *testing.T) {
	rep := PodReport{
		Pod: "ns/a", PodUID: "u1", Node: "n1", Phase: "Running", EndpointUID: "u1", Owner: "Deployment/web",
		NICs: []NICAddresses{{
			NIC: "eth0", IPv4: "10.0.0.1/24", IPv4Pool: "p4", IPv4Gateway: "10.0.0.254",
			Routes: []string{"10.7.0.0/16 via 10.0.0.253"},
		}},
		Records: []Record{{Pool: "p4", IP: "10.0.0.1", Namespace: "ns", Name: "a", UID: "u1"}},
	}
	var buf bytes.Buffer
	if err := Render(&buf, FormatTable, rep, renderNow); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Pod:       ns/a", "owner Deployment/web", "eth0       10.0.0.1/24", "10.7.0.0/16 via 10.0.0.253", "p4    10.0.0.1  u1   yes"} {
		if !strings.Contains(buf.String(), want) {
			t.Errorf("pod table lacks %q:\n%s", want, buf.String())
		}
	}
}

// TestRenderStructured checks that JSON and YAML carry the stable field
// names and decode back to the same report.
func TestRenderStructured(t *testing.T) {
	rep := CheckReport{Pools: 1, Records: 1, Problems: 1, Findings: []Finding{
		{Kind: KindLeakedRecord, Problem: true, IP: "10.0.0.2", Pool: "p4", Pod: "ns/ghost", UID: "u9"},
	}}
	for _, f := range []Format{FormatJSON, FormatYAML} {
		var buf bytes.Buffer
		if err := Render(&buf, f, rep, renderNow); err != nil {
			t.Fatal(err)
		}
		for _, key := range []string{"findings", "kind", "problem", "leaked-record", "problems"} {
			if !strings.Contains(buf.String(), key) {
				t.Errorf("%s lacks %q:\n%s", f, key, buf.String())
			}
		}
		var back CheckReport
		var err error
		if f == FormatJSON {
			err = json.Unmarshal(buf.Bytes(), &back)
		} else {
			err = yaml.Unmarshal(buf.Bytes(), &back)
		}
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(rep, back); diff != "" {
			t.Errorf("%s round trip (-want +got):\n%s", f, diff)
		}
	}
}

func TestListPoolsCounts(t *testing.T) {
	pool := func(name string, ips, excl []string, recs ...string) spiderpoolv2beta1.SpiderIPPool {
		allocs := spiderpoolv2beta1.PoolIPAllocations{}
		for _, ip := range recs {
			allocs[ip] = spiderpoolv2beta1.NewPoolIPAllocation("ns", "p-"+ip, "u-"+ip)
		}
		return spiderpoolv2beta1.SpiderIPPool{
			ObjectMeta: metav1.ObjectMeta{Name: name},
			Spec: spiderpoolv2beta1.IPPoolSpec{
				IPVersion: ptr.To[int64](4), Subnet: "10.0.0.0/24", IPs: ips, ExcludeIPs: excl, Default: ptr.To(true),
			},
			Status: spiderpoolv2beta1.IPPoolStatus{AllocatedIPs: spiderpoolv2beta1.FormatAllocatedIPs(allocs)},
		}
	}
	s := &Snapshot{
		Pools: []spiderpoolv2beta1.SpiderIPPool{
			pool("a", []string{"10.0.0.10-10.0.0.19"}, []string{"10.0.0.19"}, "10.0.0.10", "10.0.0.11"),
			// a record outside ips (e.g. the range was shrunk) counts as used, not as free
			pool("b", []string{"10.0.0.20-10.0.0.21"}, nil, "10.0.0.20", "10.0.0.99"),
			{ObjectMeta: metav1.ObjectMeta{Name: "c"}, Spec: spiderpoolv2beta1.IPPoolSpec{Subnet: "10.0.0.0/24", IPs: []string{"bogus"}}},
		},
		Reserved: []spiderpoolv2beta1.SpiderReservedIP{{
			Spec: spiderpoolv2beta1.ReservedIPSpec{IPVersion: ptr.To[int64](4), IPs: []string{"10.0.0.12-10.0.0.13"}},
		}},
	}
	got := ListPools(s).Pools
	want := []PoolRow{
		{Name: "a", IPVersion: 4, Subnet: "10.0.0.0/24", Used: 2, Free: 5, Total: 9, Reserved: 2, Default: true},
		{Name: "b", IPVersion: 4, Subnet: "10.0.0.0/24", Used: 2, Free: 1, Total: 2, Default: true},
	}
	if diff := cmp.Diff(want, got[:2]); diff != "" {
		t.Errorf("rows (-want +got):\n%s", diff)
	}
	if got[2].Error == "" || got[2].IPVersion != 4 {
		t.Errorf("bad pool row = %+v, want an error and IPv4 from the subnet", got[2])
	}
}
