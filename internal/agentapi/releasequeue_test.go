// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package agentapi_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/spiderpool-go/spiderpool/internal/agentapi"
)

func delReq(ctr, ifName string) agentapi.DelRequest {
	return agentapi.DelRequest{ContainerID: ctr, IfName: ifName, PodNamespace: "default", PodName: "pod-" + ctr, PodUID: "uid-" + ctr}
}

// drainAll drains q and returns what it yielded.
func drainAll(t *testing.T, q *agentapi.ReleaseQueue) []agentapi.DelRequest {
	t.Helper()
	var got []agentapi.DelRequest
	if err := q.Drain(func(r agentapi.DelRequest) error { got = append(got, r); return nil }); err != nil {
		t.Fatalf("Drain: %v", err)
	}
	return got
}

var sortReqs = cmpopts.SortSlices(func(a, b agentapi.DelRequest) bool {
	return a.ContainerID+a.IfName < b.ContainerID+b.IfName
})

func TestReleaseQueueRoundTrip(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "release-queue")
	q := agentapi.NewReleaseQueue(dir, 10)
	if got := drainAll(t, q); len(got) != 0 {
		t.Fatalf("a missing directory drained %v", got)
	}
	want := []agentapi.DelRequest{delReq("a", "eth0"), delReq("a", "net1"), delReq("b", "eth0")}
	for _, r := range want {
		if err := q.Enqueue(r); err != nil {
			t.Fatalf("Enqueue: %v", err)
		}
	}
	// The same interface again replaces its entry.
	if err := q.Enqueue(want[0]); err != nil {
		t.Fatalf("Enqueue again: %v", err)
	}
	if n, err := q.Len(); err != nil || n != 3 {
		t.Fatalf("Len = %d, %v; want 3", n, err)
	}
	info, err := os.Stat(dir)
	if err != nil || info.Mode().Perm() != 0o700 {
		t.Errorf("queue directory: %v, %v; want mode 0700", info, err)
	}
	if diff := cmp.Diff(want, drainAll(t, q), sortReqs); diff != "" {
		t.Errorf("drained (-want +got):\n%s", diff)
	}
	if got := drainAll(t, q); len(got) != 0 {
		t.Errorf("second drain yielded %v", got)
	}
}

func TestReleaseQueueCap(t *testing.T) {
	q := agentapi.NewReleaseQueue(t.TempDir(), 2)
	for _, ctr := range []string{"a", "b"} {
		if err := q.Enqueue(delReq(ctr, "eth0")); err != nil {
			t.Fatal(err)
		}
	}
	if err := q.Enqueue(delReq("c", "eth0")); !errors.Is(err, agentapi.ErrQueueFull) {
		t.Fatalf("third entry: got %v, want ErrQueueFull", err)
	}
	if err := q.Enqueue(delReq("a", "eth0")); err != nil {
		t.Fatalf("replacing at the cap: %v", err)
	}
}

func TestReleaseQueueKeepsRefusedEntries(t *testing.T) {
	q := agentapi.NewReleaseQueue(t.TempDir(), 0)
	for _, ctr := range []string{"a", "b"} {
		if err := q.Enqueue(delReq(ctr, "eth0")); err != nil {
			t.Fatal(err)
		}
	}
	refuse := errors.New("apiserver down")
	err := q.Drain(func(r agentapi.DelRequest) error {
		if r.ContainerID == "b" {
			return refuse
		}
		return nil
	})
	if !errors.Is(err, refuse) || !strings.Contains(err.Error(), "pod-b") {
		t.Fatalf("Drain: got %v, want the refusal naming the pod", err)
	}
	if diff := cmp.Diff([]agentapi.DelRequest{delReq("b", "eth0")}, drainAll(t, q)); diff != "" {
		t.Errorf("left in the queue (-want +got):\n%s", diff)
	}
}

func TestReleaseQueueSetsAsideCorruptEntries(t *testing.T) {
	dir := t.TempDir()
	q := agentapi.NewReleaseQueue(dir, 0)
	if err := os.WriteFile(filepath.Join(dir, "junk.json"), []byte("{"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := q.Drain(func(agentapi.DelRequest) error { return nil }); err == nil {
		t.Fatal("Drain accepted a corrupt entry silently")
	}
	if _, err := os.Stat(filepath.Join(dir, "junk.json.corrupt")); err != nil {
		t.Errorf("corrupt entry not set aside: %v", err)
	}
	if n, err := q.Len(); err != nil || n != 0 {
		t.Errorf("Len = %d, %v; want 0", n, err)
	}
}

func TestReleaseQueueConcurrentEnqueue(t *testing.T) {
	q := agentapi.NewReleaseQueue(t.TempDir(), 0)
	var wg sync.WaitGroup
	want := make([]agentapi.DelRequest, 20)
	for i := range want {
		want[i] = delReq(string(rune('a'+i)), "eth0")
		wg.Go(func() {
			if err := q.Enqueue(want[i]); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if diff := cmp.Diff(want, drainAll(t, q), sortReqs); diff != "" {
		t.Errorf("drained (-want +got):\n%s", diff)
	}
}

func TestReleaseQueueRejectsIncompleteRequests(t *testing.T) {
	q := agentapi.NewReleaseQueue(t.TempDir(), 0)
	if err := q.Enqueue(agentapi.DelRequest{ContainerID: "a"}); !agentapi.HasCode(err, agentapi.CodeInvalidRequest) {
		t.Fatalf("got %v, want InvalidRequest", err)
	}
}

func TestReleaseQueueDir(t *testing.T) {
	if got := agentapi.ReleaseQueueDir(agentapi.DefaultSocketPath); got != "/var/run/spidernet/release-queue" {
		t.Errorf("ReleaseQueueDir = %q", got)
	}
}
