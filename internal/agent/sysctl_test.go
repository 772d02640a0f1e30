// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package agent

import (
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/go-logr/logr"
)

// TestTuneSysctls: every present key gets its value, a missing one is
// skipped, an unwritable one does not stop the others.
func TestTuneSysctls(t *testing.T) {
	root := t.TempDir()
	write := func(rel, v string) {
		p := filepath.Join(root, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(v), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("net/ipv4/neigh/default/gc_thresh3", "1024")
	write("net/ipv4/conf/all/arp_notify", "0")
	write("net/ipv4/conf/all/forwarding", "0")
	write("net/ipv4/conf/all/rp_filter", "2")
	// net/ipv6 is absent (a kernel without IPv6); forwarding is a directory,
	// so writing it fails like a read-only sysctl would.
	if err := os.MkdirAll(filepath.Join(root, "net/ipv6/conf/all/forwarding"), 0o755); err != nil {
		t.Fatal(err)
	}
	set := tuneSysctls(logr.Discard(), root)
	want := []string{"net.ipv4.neigh.default.gc_thresh3", "net.ipv4.conf.all.arp_notify",
		"net.ipv4.conf.all.forwarding", "net.ipv4.conf.all.rp_filter"}
	if !slices.Equal(set, want) {
		t.Errorf("set %v; want %v", set, want)
	}
	for rel, v := range map[string]string{"net/ipv4/neigh/default/gc_thresh3": "28160", "net/ipv4/conf/all/arp_notify": "1",
		"net/ipv4/conf/all/forwarding": "1", "net/ipv4/conf/all/rp_filter": "0"} {
		got, err := os.ReadFile(filepath.Join(root, rel))
		if err != nil || string(got) != v {
			t.Errorf("%s = %q (%v); want %q", rel, got, err, v)
		}
	}
}
