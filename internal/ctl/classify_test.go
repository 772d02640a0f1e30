// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package ctl

import (
	"cmp"
	"slices"
	"strings"
	"testing"
	"time"

	gocmp "github.com/google/go-cmp/cmp"

	"github.com/spiderpool-go/spiderpool/internal/gc"
)

var (
	alive     = gc.Judgement{HolderAlive: true, Reason: "pod is alive"}
	gone      = gc.Judgement{Release: true, Reason: "pod is gone"}
	kept      = gc.Judgement{KeptForSuccessor: true, Reason: "kept"}
	inGrace   = gc.Judgement{Wait: time.Minute, Reason: "pod is within its grace period"}
	switchOff = gc.Judgement{Reason: "terminating pod on a Ready node, switch off"}
)

func rec(pool, ip, pod, uid string) Record {
	ref, _ := ParsePodRef(pod, "")
	return Record{Pool: pool, IP: ip, Namespace: ref.Namespace, Name: ref.Name, UID: uid}
}

func claim(pool, ip, pod, uid string) Claim {
	ref, _ := ParsePodRef(pod, "")
	return Claim{Namespace: ref.Namespace, Name: ref.Name, UID: uid, NIC: "eth0", Pool: pool, IP: ip, CIDR: ip + "/24"}
}

func inc(pod, uid string) incarnation {
	ref, _ := ParsePodRef(pod, "")
	return incarnation{ref.Namespace, ref.Name, uid}
}

type brief struct {
	Kind    Kind
	IP, Pod string
}

func TestClassify(t *testing.T) {
	tests := []struct {
		name     string
		records  []Record
		claims   []Claim
		verdicts map[incarnation]gc.Judgement
		want     []brief
	}{{
		name:     "clean: record and endpoint agree, pod alive",
		records:  []Record{rec("p4", "10.0.0.1", "ns/a", "u1")},
		claims:   []Claim{claim("p4", "10.0.0.1", "ns/a", "u1")},
		verdicts: map[incarnation]gc.Judgement{inc("ns/a", "u1"): alive},
	}, {
		name:     "leaked record of a gone pod",
		records:  []Record{rec("p4", "10.0.0.2", "ns/ghost", "u9")},
		verdicts: map[incarnation]gc.Judgement{inc("ns/ghost", "u9"): gone},
		want:     []brief{{KindLeakedRecord, "10.0.0.2", "ns/ghost"}},
	}, {
		name:     "stale endpoint of a gone pod without records",
		claims:   []Claim{claim("p4", "10.0.0.3", "ns/old", "u3")},
		verdicts: map[incarnation]gc.Judgement{inc("ns/old", "u3"): gone},
		want:     []brief{{KindStaleEndpoint, "", "ns/old"}},
	}, {
		name:     "record without endpoint for a live pod",
		records:  []Record{rec("p4", "10.0.0.4", "ns/a", "u1")},
		verdicts: map[incarnation]gc.Judgement{inc("ns/a", "u1"): alive},
		want:     []brief{{KindRecordWithoutEndpoint, "10.0.0.4", "ns/a"}},
	}, {
		name:     "endpoint without record",
		claims:   []Claim{claim("p4", "10.0.0.5", "ns/a", "u1")},
		verdicts: map[incarnation]gc.Judgement{inc("ns/a", "u1"): alive},
		want:     []brief{{KindEndpointWithoutRecord, "10.0.0.5", "ns/a"}},
	}, {
		name:     "endpoint whose address the pool records for another UID",
		records:  []Record{rec("p4", "10.0.0.6", "ns/b", "u2")},
		claims:   []Claim{claim("p4", "10.0.0.6", "ns/a", "u1"), claim("p4", "10.0.0.6", "ns/b", "u2")},
		verdicts: map[incarnation]gc.Judgement{inc("ns/a", "u1"): alive, inc("ns/b", "u2"): alive},
		want: []brief{
			{KindDuplicateClaim, "10.0.0.6", "ns/a"}, {KindDuplicateClaim, "10.0.0.6", "ns/b"},
			{KindEndpointWithoutRecord, "10.0.0.6", "ns/a"},
		},
	}, {
		name:    "same IP recorded in two pools",
		records: []Record{rec("p4", "10.0.0.7", "ns/a", "u1"), rec("q4", "10.0.0.7", "ns/b", "u2")},
		claims:  []Claim{claim("p4", "10.0.0.7", "ns/a", "u1"), claim("q4", "10.0.0.7", "ns/b", "u2")},
		verdicts: map[incarnation]gc.Judgement{
			inc("ns/a", "u1"): alive, inc("ns/b", "u2"): alive,
		},
		want: []brief{
			{KindDuplicateClaim, "10.0.0.7", "ns/a"}, {KindDuplicateClaim, "10.0.0.7", "ns/b"},
			{KindDuplicateRecord, "10.0.0.7", "ns/a"}, {KindDuplicateRecord, "10.0.0.7", "ns/b"},
		},
	}, {
		name:     "dead pod claims do not count as duplicates",
		records:  []Record{rec("p4", "10.0.0.8", "ns/b", "u2")},
		claims:   []Claim{claim("p4", "10.0.0.8", "ns/a", "u1"), claim("p4", "10.0.0.8", "ns/b", "u2")},
		verdicts: map[incarnation]gc.Judgement{inc("ns/a", "u1"): gone, inc("ns/b", "u2"): alive},
		want:     []brief{{KindStaleEndpoint, "", "ns/a"}},
	}, {
		name:     "StatefulSet pod kept by design",
		records:  []Record{rec("p4", "10.0.0.9", "ns/sts-0", "u5")},
		claims:   []Claim{claim("p4", "10.0.0.9", "ns/sts-0", "u5")},
		verdicts: map[incarnation]gc.Judgement{inc("ns/sts-0", "u5"): kept},
		want:     []brief{{KindKeptByDesign, "10.0.0.9", "ns/sts-0"}},
	}, {
		name:    "terminating pods: grace period and switch off are notes",
		records: []Record{rec("p4", "10.0.0.10", "ns/t", "u6"), rec("p4", "10.0.0.11", "ns/s", "u7")},
		claims:  []Claim{claim("p4", "10.0.0.10", "ns/t", "u6"), claim("p4", "10.0.0.11", "ns/s", "u7")},
		verdicts: map[incarnation]gc.Judgement{
			inc("ns/t", "u6"): inGrace, inc("ns/s", "u7"): switchOff,
		},
		want: []brief{{KindPendingGC, "10.0.0.10", "ns/t"}, {KindPendingGC, "10.0.0.11", "ns/s"}},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fs := classify(tt.records, tt.claims, tt.verdicts)
			sortFindings(fs)
			var got []brief
			for _, f := range fs {
				if f.Problem != f.Kind.problem() {
					t.Errorf("%s: Problem = %v", f.Kind, f.Problem)
				}
				got = append(got, brief{f.Kind, f.IP, f.Pod})
			}
			want := tt.want
			sortBriefs(want)
			sortBriefs(got)
			if diff := gocmp.Diff(want, got); diff != "" {
				t.Errorf("findings (-want +got):\n%s", diff)
			}
		})
	}
}

func sortBriefs(bs []brief) {
	slices.SortFunc(bs, func(a, b brief) int {
		return cmp.Or(strings.Compare(string(a.Kind), string(b.Kind)), strings.Compare(a.IP, b.IP), strings.Compare(a.Pod, b.Pod))
	})
}

func TestSortFindingsProblemsFirst(t *testing.T) {
	fs := []Finding{
		newFinding(KindKeptByDesign, "10.0.0.1", "p", inc("ns/a", "u"), ""),
		newFinding(KindLeakedRecord, "10.0.0.10", "p", inc("ns/b", "u"), ""),
		newFinding(KindLeakedRecord, "10.0.0.9", "p", inc("ns/c", "u"), ""),
	}
	sortFindings(fs)
	var got []string
	for _, f := range fs {
		got = append(got, string(f.Kind)+" "+f.IP)
	}
	want := []string{"leaked-record 10.0.0.9", "leaked-record 10.0.0.10", "kept-by-design 10.0.0.1"}
	if diff := gocmp.Diff(want, got); diff != "" {
		t.Errorf("order (-want +got):\n%s", diff)
	}
}
