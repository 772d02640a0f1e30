// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package agentapi

import (
	"os"
	"path/filepath"
	"testing"
)

// TestReleaseQueueSyncsTheDirectory (review #14): the rename that commits
// an entry is made durable by an fsync of the directory, after the rename,
// so a power loss after DEL returned cannot lose the release.
func TestReleaseQueueSyncsTheDirectory(t *testing.T) {
	dir := t.TempDir()
	q := NewReleaseQueue(dir, 0)
	req := DelRequest{ContainerID: "a", IfName: "eth0", PodNamespace: "default", PodName: "p", PodUID: "u"}
	var synced []string
	q.syncDir = func(d string) error {
		if _, err := os.Stat(filepath.Join(dir, entryName("a", "eth0"))); err != nil {
			t.Errorf("directory synced before the rename: %v", err)
		}
		synced = append(synced, d)
		return syncDir(d)
	}
	if err := q.Enqueue(req); err != nil {
		t.Fatal(err)
	}
	if len(synced) != 1 || synced[0] != dir {
		t.Errorf("synced %q, want the queue directory once", synced)
	}
}
