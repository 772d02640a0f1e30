// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package agentapi_test

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

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
	rep, err := q.Drain(func(r agentapi.QueuedRelease) error { got = append(got, r.DelRequest); return nil })
	if err != nil {
		t.Fatalf("Drain: %v", err)
	}
	if rep.Released != len(got) || len(rep.Failed)+len(rep.GivenUp)+len(rep.Corrupt) != 0 {
		t.Fatalf("Drain report %+v after %d releases", rep, len(got))
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
	rep, err := q.Drain(func(r agentapi.QueuedRelease) error {
		if r.ContainerID == "b" {
			return refuse
		}
		return nil
	})
	if err != nil || rep.Released != 1 || len(rep.Failed) != 1 || !errors.Is(rep.Failed[0].Err, refuse) ||
		rep.Failed[0].Release.DelRequest != delReq("b", "eth0") {
		t.Fatalf("Drain: %+v, %v; want one release and the refusal of pod-b", rep, err)
	}
	if diff := cmp.Diff([]agentapi.DelRequest{delReq("b", "eth0")}, drainAll(t, q)); diff != "" {
		t.Errorf("left in the queue (-want +got):\n%s", diff)
	}
}

// TestReleaseQueueSetsAsideCorruptEntries: an entry that does not decode,
// or has no pod UID (review #14: it could release a same-name successor),
// is renamed aside and reported, never released or dropped silently.
func TestReleaseQueueSetsAsideCorruptEntries(t *testing.T) {
	dir := t.TempDir()
	q := agentapi.NewReleaseQueue(dir, 0)
	noUID := `{"containerID":"a","ifName":"eth0","podNamespace":"default","podName":"p"}`
	for name, data := range map[string]string{"junk.json": "{", "nouid.json": noUID} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	rep, err := q.Drain(func(r agentapi.QueuedRelease) error {
		t.Errorf("released %+v", r)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var files []string
	for _, c := range rep.Corrupt {
		files = append(files, filepath.Base(c.File))
		if c.Err == nil {
			t.Errorf("corrupt entry %s without a reason", c.File)
		}
	}
	if diff := cmp.Diff([]string{"junk.json.corrupt", "nouid.json.corrupt"}, files, cmpopts.SortSlices(func(a, b string) bool { return a < b })); diff != "" {
		t.Errorf("reported corrupt (-want +got):\n%s", diff)
	}
	for _, name := range files {
		if _, err := os.Stat(filepath.Join(dir, name)); err != nil {
			t.Errorf("corrupt entry not set aside: %v", err)
		}
	}
	if n, err := q.Len(); err != nil || n != 0 {
		t.Errorf("Len = %d, %v; want 0", n, err)
	}
}

// TestReleaseQueueBoundsCorruptFiles: only the newest set-aside entries are
// kept for inspection.
func TestReleaseQueueBoundsCorruptFiles(t *testing.T) {
	dir := t.TempDir()
	q := agentapi.NewReleaseQueue(dir, 0)
	old := time.Now().Add(-time.Hour)
	n := agentapi.MaxCorruptEntries + 3
	for i := range n {
		path := filepath.Join(dir, fmt.Sprintf("e%02d.json.corrupt", i))
		if err := os.WriteFile(path, []byte("{"), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(path, old, old.Add(time.Duration(i)*time.Second)); err != nil {
			t.Fatal(err)
		}
	}
	drainAll(t, q)
	left, err := filepath.Glob(filepath.Join(dir, "*.corrupt"))
	if err != nil {
		t.Fatal(err)
	}
	if len(left) != agentapi.MaxCorruptEntries || filepath.Base(left[0]) != "e03.json.corrupt" {
		t.Errorf("kept %d corrupt files starting with %v; want the newest %d", len(left), left[:1], agentapi.MaxCorruptEntries)
	}
}

// TestReleaseQueueRemovesStaleTempFiles: a writer that died between create
// and rename leaves a .tmp-* file; one older than a minute is removed, a
// fresh one (a write in progress) is not.
func TestReleaseQueueRemovesStaleTempFiles(t *testing.T) {
	dir := t.TempDir()
	q := agentapi.NewReleaseQueue(dir, 0)
	stale, fresh := filepath.Join(dir, ".tmp-111"), filepath.Join(dir, ".tmp-222")
	for _, p := range []string{stale, fresh} {
		if err := os.WriteFile(p, []byte("{"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	old := time.Now().Add(-2 * time.Minute)
	if err := os.Chtimes(stale, old, old); err != nil {
		t.Fatal(err)
	}
	drainAll(t, q)
	if _, err := os.Stat(stale); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("stale temp file: %v; want it removed", err)
	}
	if _, err := os.Stat(fresh); err != nil {
		t.Errorf("fresh temp file: %v; want it kept", err)
	}
}

// TestReleaseQueueGiveUp: a callback that gives up removes the entry
// without a release and the report names it.
func TestReleaseQueueGiveUp(t *testing.T) {
	q := agentapi.NewReleaseQueue(t.TempDir(), 0)
	if err := q.Enqueue(delReq("a", "eth0")); err != nil {
		t.Fatal(err)
	}
	before := time.Now().Add(-time.Minute)
	rep, err := q.Drain(func(r agentapi.QueuedRelease) error {
		if r.Queued.Before(before) || r.Queued.After(time.Now()) {
			t.Errorf("Queued = %v, want the time of the Enqueue", r.Queued)
		}
		return fmt.Errorf("%w: pool broken for a day", agentapi.ErrGiveUp)
	})
	if err != nil || len(rep.GivenUp) != 1 || rep.GivenUp[0].Release.DelRequest != delReq("a", "eth0") || rep.Released != 0 {
		t.Fatalf("Drain: %+v, %v; want the entry given up", rep, err)
	}
	if n, err := q.Len(); err != nil || n != 0 {
		t.Errorf("Len = %d, %v; want 0", n, err)
	}
}

// TestReleaseQueueRefusesReleasesWithoutUID (review #14): without the pod
// UID a drained release could free a same-name successor's addresses.
func TestReleaseQueueRefusesReleasesWithoutUID(t *testing.T) {
	q := agentapi.NewReleaseQueue(t.TempDir(), 0)
	req := delReq("a", "eth0")
	req.PodUID = ""
	if err := q.Enqueue(req); !errors.Is(err, agentapi.ErrNoPodUID) {
		t.Fatalf("Enqueue without a UID: %v, want ErrNoPodUID", err)
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
