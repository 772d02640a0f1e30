// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package agent

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/spiderpool-go/spiderpool/internal/agentapi"
	"github.com/spiderpool-go/spiderpool/internal/ipam"
)

// queueCounts records what the drainer counts.
type queueCounts struct{ corrupt, givenUp int }

func (c *queueCounts) CountCorrupt() { c.corrupt++ }
func (c *queueCounts) CountGivenUp() { c.givenUp++ }

// testDrainer drains a fresh queue with release; its clock is at now.
func testDrainer(t *testing.T, release func(context.Context, ipam.ReleaseRequest) error) (*queueDrainer, *queueCounts, *time.Time) {
	t.Helper()
	counts := &queueCounts{}
	now := time.Now()
	d := newQueueDrainer(agentapi.NewReleaseQueue(t.TempDir(), 0), release, counts)
	d.now = func() time.Time { return now }
	return d, counts, &now
}

// queueAged queues a release of pod ns/<name> written age ago.
func queueAged(t *testing.T, q *agentapi.ReleaseQueue, name string, age time.Duration) {
	t.Helper()
	req := agentapi.DelRequest{ContainerID: "ctr-" + name, IfName: "eth0", PodNamespace: "ns", PodName: name, PodUID: "uid-" + name}
	if err := q.Enqueue(req); err != nil {
		t.Fatal(err)
	}
	matches, err := filepath.Glob(filepath.Join(q.Dir(), "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	when := time.Now().Add(-age)
	for _, m := range matches { // only the new entry is younger than a second
		if info, err := os.Stat(m); err == nil && time.Since(info.ModTime()) < time.Second {
			if err := os.Chtimes(m, when, when); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// TestDrainGivesUpPermanentFailures (review #14): a release that fails
// permanently (a broken pool record) is retried with a growing pause, not
// every 5 s, and given up once it has been queued for a day, with a log
// line naming the pod; a transient failure is retried however old.
func TestDrainGivesUpPermanentFailures(t *testing.T) {
	calls := map[string]int{}
	release := func(_ context.Context, r ipam.ReleaseRequest) error {
		calls[r.PodName]++
		if r.PodName == "flaky" {
			return errors.New("dial tcp 10.96.0.1:443: connection refused")
		}
		return fmt.Errorf("release pod ns/%s: %w: pool p status.allocatedIPs: bad JSON", r.PodName, ipam.ErrBadRecord)
	}
	d, counts, now := testDrainer(t, release)
	queueAged(t, d.queue, "old", 25*time.Hour)
	queueAged(t, d.queue, "young", time.Hour)
	queueAged(t, d.queue, "flaky", 25*time.Hour)
	var lines []string
	ctx := logrInto(t, &lines)

	d.drain(ctx)
	d.drain(ctx) // 0 s later: "young" waits
	*now = now.Add(6 * time.Second)
	d.drain(ctx) // "young" is due again

	if n, err := d.queue.Len(); err != nil || n != 2 {
		t.Errorf("queue holds %d, %v; want young and flaky", n, err)
	}
	if calls["old"] != 1 || calls["young"] != 2 || calls["flaky"] != 3 {
		t.Errorf("release calls %v; want old 1 (given up), young 2 (paused once), flaky 3", calls)
	}
	if counts.givenUp != 1 {
		t.Errorf("given up counted %d, want 1", counts.givenUp)
	}
	gaveUp := grep(lines, "gave up")
	if len(gaveUp) != 1 || !strings.Contains(gaveUp[0], "ns/old") || !strings.Contains(gaveUp[0], "uid-old") {
		t.Errorf("give-up lines %q, want one naming ns/old and its UID", gaveUp)
	}
}

// TestDrainReportsCorruptEntries (review #14): a corrupt entry is set
// aside with a log line naming the file, and counted.
func TestDrainReportsCorruptEntries(t *testing.T) {
	d, counts, _ := testDrainer(t, func(context.Context, ipam.ReleaseRequest) error { return nil })
	if err := os.MkdirAll(d.queue.Dir(), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(d.queue.Dir(), "junk.json"), []byte("{"), 0o600); err != nil {
		t.Fatal(err)
	}
	var lines []string
	d.drain(logrInto(t, &lines))
	if counts.corrupt != 1 {
		t.Errorf("corrupt counted %d, want 1", counts.corrupt)
	}
	if got := grep(lines, "corrupt"); len(got) != 1 || !strings.Contains(got[0], "junk.json.corrupt") {
		t.Errorf("corrupt lines %q, want one naming the set-aside file", got)
	}
}

// TestKeepReleaseNeedsTheUID (review #14): the agent does not queue a
// release without the pod UID either; the plugin's DEL then fails and is
// retried by the runtime.
func TestKeepReleaseNeedsTheUID(t *testing.T) {
	a := &agent{queue: agentapi.NewReleaseQueue(t.TempDir(), 0)}
	req := agentapi.DelRequest{ContainerID: "c1", IfName: "eth0", PodNamespace: "ns", PodName: "p"}
	if err := a.keepRelease(req, errors.New("apiserver down")); !errors.Is(err, agentapi.ErrNoPodUID) {
		t.Fatalf("keepRelease without a UID: %v, want ErrNoPodUID", err)
	}
	if n, err := a.queue.Len(); err != nil || n != 0 {
		t.Errorf("queued %d, %v", n, err)
	}
}

func grep(lines []string, word string) []string {
	var out []string
	for _, l := range lines {
		if strings.Contains(l, word) {
			out = append(out, l)
		}
	}
	return out
}
