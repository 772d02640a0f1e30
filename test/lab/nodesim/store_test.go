// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package nodesim

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestSandboxStore(t *testing.T) {
	s := sandboxStore{dir: filepath.Join(t.TempDir(), "sandboxes")}
	if recs, err := s.list(); err != nil || len(recs) != 0 {
		t.Fatalf("list of a missing dir = %v, %v", recs, err)
	}
	a := &sandbox{Pod: podRef{Namespace: "ns", Name: "web-0", UID: "u1"}, ID: "id1", Phase: phaseCreating,
		Created:     time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC),
		Attachments: []attachment{{network: network{Name: "n", IfName: "eth0", Default: true, Config: []byte(`{"name":"n"}`)}}}}
	b := &sandbox{Pod: podRef{Namespace: "ns", Name: "web-1", UID: "u2"}, ID: "id2", Phase: phaseReady}
	for _, sb := range []*sandbox{a, b} {
		if err := s.save(sb); err != nil {
			t.Fatal(err)
		}
	}
	a.Phase = phaseReady
	if err := s.save(a); err != nil { // overwrite in place
		t.Fatal(err)
	}
	got, err := s.forPod("ns", "web-0")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]*sandbox{a}, got, cmp.AllowUnexported(attachment{})); diff != "" {
		t.Errorf("forPod (-want +got):\n%s", diff)
	}
	for range 2 { // idempotent
		if err := s.remove("u1"); err != nil {
			t.Fatal(err)
		}
	}
	if recs, err := s.list(); err != nil || len(recs) != 1 || recs[0].ID != "id2" {
		t.Errorf("after remove: %+v, %v", recs, err)
	}
}
