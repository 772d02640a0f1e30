// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package gc

import (
	"fmt"
	"strconv"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"

	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
)

// TestRecordMemo: each version of a pool (UID and resourceVersion) is
// parsed once while it is one of the pool's last two; a pool read from no
// API server (no UID) is parsed every time; a deleted pool is forgotten.
func TestRecordMemo(t *testing.T) {
	m := newRecordMemo()
	parses := 0
	m.parse = func(s *string) (spiderpoolv2beta1.PoolIPAllocations, error) {
		parses++
		return spiderpoolv2beta1.ParseAllocatedIPs(s)
	}
	version := func(uid types.UID, rv, holder string) *spiderpoolv2beta1.SpiderIPPool {
		recs := spiderpoolv2beta1.PoolIPAllocations{"10.0.0.1": {NamespacedName: holder, PodUID: "u-" + holder}}
		return &spiderpoolv2beta1.SpiderIPPool{ObjectMeta: metav1.ObjectMeta{Name: "p", UID: uid, ResourceVersion: rv},
			Status: spiderpoolv2beta1.IPPoolStatus{AllocatedIPs: spiderpoolv2beta1.FormatAllocatedIPs(recs)}}
	}
	read := func(p *spiderpoolv2beta1.SpiderIPPool, wantParses int) {
		t.Helper()
		recs, err := m.of(p.DeepCopy())
		if err != nil {
			t.Fatal(err)
		}
		want, _ := spiderpoolv2beta1.ParseAllocatedIPs(p.Status.AllocatedIPs)
		if recs["10.0.0.1"] != want["10.0.0.1"] {
			t.Errorf("version %s: records %v, want %v", p.ResourceVersion, recs, want)
		}
		if parses != wantParses {
			t.Errorf("after version %s: %d parses, want %d", p.ResourceVersion, parses, wantParses)
		}
	}
	v1, v2, v3 := version("uid-p", "1", "ns/a"), version("uid-p", "2", "ns/b"), version("uid-p", "3", "ns/c")
	read(v1, 1)
	read(v1, 1)
	read(v2, 2) // the index sees the new version first
	read(v1, 2) // then the update handler both
	read(v2, 2)
	read(v3, 3)
	read(v1, 4) // older than the last two
	other := version("uid-q", "1", "ns/z")
	read(other, 5)
	m.forget("uid-q")
	read(other, 6)
	noUID := version("", "7", "ns/y")
	read(noUID, 7)
	read(noUID, 8)
}

// BenchmarkPoolWrite is the controller's GC work for one write of a shared
// pool of 1,000 records that adds 5 (a batch of five ADDs): the holder
// index of the new version, the update handler (both versions) and one
// holder lookup per new record. "memo" keys the parses by version; "parse"
// parses every time (a pool without UID), as before the memo.
func BenchmarkPoolWrite(b *testing.B) {
	const records, added = 1000, 5
	versions := make([]*spiderpoolv2beta1.SpiderIPPool, 64)
	for v := range versions {
		recs := spiderpoolv2beta1.PoolIPAllocations{}
		for i := range records {
			holder := fmt.Sprintf("ns/pod-%d", (i+v*added)%(records+len(versions)*added))
			recs[fmt.Sprintf("10.0.%d.%d", i/250, i%250+1)] = spiderpoolv2beta1.PoolIPAllocation{
				NamespacedName: holder, PodUID: "0d6c7f8e-5b1a-4c2d-9e3f-" + fmt.Sprintf("%012d", i+v*added)}
		}
		versions[v] = &spiderpoolv2beta1.SpiderIPPool{ObjectMeta: metav1.ObjectMeta{Name: "shared", UID: "uid-shared"},
			Status: spiderpoolv2beta1.IPPoolStatus{AllocatedIPs: spiderpoolv2beta1.FormatAllocatedIPs(recs)}}
	}
	for _, memo := range []bool{true, false} {
		b.Run(map[bool]string{true: "memo", false: "parse"}[memo], func(b *testing.B) {
			m := newRecordMemo()
			parses := 0
			m.parse = func(s *string) (spiderpoolv2beta1.PoolIPAllocations, error) {
				parses++
				return spiderpoolv2beta1.ParseAllocatedIPs(s)
			}
			n := 0
			for b.Loop() {
				oldPool, newPool := versions[n%len(versions)].DeepCopy(), versions[(n+1)%len(versions)].DeepCopy()
				if memo {
					oldPool.ResourceVersion, newPool.ResourceVersion = strconv.Itoa(n), strconv.Itoa(n+1)
				} else {
					oldPool.UID, newPool.UID = "", ""
				}
				n++
				m.indexHolders(newPool)
				newHolders(m, oldPool, newPool)
				for range added {
					_, _ = m.of(newPool)
				}
			}
			b.ReportMetric(float64(parses)/float64(n), "parses/write")
		})
	}
}
