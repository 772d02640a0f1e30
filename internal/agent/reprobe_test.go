// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package agent

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/netip"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/spiderpool-go/spiderpool/internal/quarantine"
)

// memBook is an in-memory quarantineBook with Store's quiet rule.
type memBook struct {
	mu      sync.Mutex
	entries map[netip.Addr]quarantine.Entry
}

func (b *memBook) List(context.Context) ([]quarantine.Entry, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []quarantine.Entry
	for _, e := range b.entries {
		out = append(out, e)
	}
	return out, nil
}

func (b *memBook) Add(_ context.Context, pool string, ip netip.Addr, rec quarantine.Record) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.entries[ip] = quarantine.Entry{Pool: pool, IP: ip, Record: rec}
	return nil
}

func (b *memBook) Remove(_ context.Context, ip netip.Addr, now time.Time, quiet time.Duration) (quarantine.Entry, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	e, ok := b.entries[ip]
	switch {
	case !ok:
		return e, quarantine.ErrNotQuarantined
	case now.Sub(e.LastAnswer) < quiet:
		return e, quarantine.ErrStillAnswers
	}
	delete(b.entries, ip)
	return e, nil
}

func (b *memBook) get(ip string) (quarantine.Entry, bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	e, ok := b.entries[netip.MustParseAddr(ip)]
	return e, ok
}

// TestReprober: a "node" namespace with an on-link route to the LAN of a
// squatter namespace. An answer renews the record; silence clears it once
// the last answer is older than the quiet period; records of other nodes
// and addresses without an on-link route are left alone.
func TestReprober(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("netns tests need root")
	}
	node, sq := lan(t)
	old := time.Now().Add(-time.Hour).UTC()
	rec := func(node string) quarantine.Record {
		return quarantine.Record{Reason: quarantine.ReasonConflict, Node: node, Since: old, LastAnswer: old}
	}
	book := &memBook{entries: map[netip.Addr]quarantine.Entry{}}
	for ip, r := range map[string]quarantine.Record{"10.250.86.10": rec("n1"), "10.250.86.11": rec("other"), "10.9.9.9": rec("n1")} {
		a := netip.MustParseAddr(ip)
		book.entries[a] = quarantine.Entry{Pool: "p", IP: a, Record: r}
	}
	r := &reprober{book: book, node: "n1", quiet: 10 * time.Minute, now: time.Now, netns: "/var/run/netns/" + node}

	if err := r.once(t.Context()); err != nil {
		t.Fatal(err)
	}
	if e, ok := book.get("10.250.86.10"); !ok || !e.LastAnswer.After(old) || e.MAC != "02:86:00:00:00:10" || !e.Since.Equal(old) {
		t.Errorf("answered record %+v (present %v), want a new last answer from 02:86:00:00:00:10", e, ok)
	}
	for _, ip := range []string{"10.250.86.11", "10.9.9.9"} {
		if e, ok := book.get(ip); !ok || !e.LastAnswer.Equal(old) {
			t.Errorf("record of %s = %+v (present %v), want it untouched", ip, e, ok)
		}
	}

	ipCmd(t, "-n", sq, "addr", "del", "10.250.86.10/24", "dev", "eth0")
	if err := r.once(t.Context()); err != nil { // answered moments ago: kept
		t.Fatal(err)
	}
	if _, ok := book.get("10.250.86.10"); !ok {
		t.Fatal("cleared within the quiet period")
	}
	r.now = func() time.Time { return time.Now().Add(time.Hour) }
	if err := r.once(t.Context()); err != nil {
		t.Fatal(err)
	}
	if e, ok := book.get("10.250.86.10"); ok {
		t.Errorf("silent address still quarantined after the quiet period: %+v", e)
	}
}

// lan creates a bridge namespace joining a "node" namespace
// (10.250.86.2/24) and a squatter namespace (10.250.86.10/24, MAC
// 02:86:00:00:00:10), and returns their names.
func lan(t *testing.T) (node, sq string) {
	t.Helper()
	b := make([]byte, 3)
	_, _ = rand.Read(b)
	sfx := hex.EncodeToString(b)
	br, node, sq := "rpbr"+sfx, "rpnode"+sfx, "rpsq"+sfx
	for _, n := range []string{br, node, sq} {
		ipCmd(t, "netns", "add", n)
		t.Cleanup(func() { _ = exec.Command("ip", "netns", "del", n).Run() })
	}
	ipCmd(t, "-n", br, "link", "add", "br0", "type", "bridge")
	ipCmd(t, "-n", br, "link", "set", "br0", "up")
	for i, n := range []string{node, sq} {
		port := "p" + string(rune('0'+i))
		ipCmd(t, "-n", br, "link", "add", port, "type", "veth", "peer", "name", "eth0", "netns", n)
		ipCmd(t, "-n", br, "link", "set", port, "master", "br0", "up")
	}
	ipCmd(t, "-n", sq, "link", "set", "eth0", "address", "02:86:00:00:00:10")
	ipCmd(t, "-n", node, "addr", "add", "10.250.86.2/24", "dev", "eth0")
	ipCmd(t, "-n", sq, "addr", "add", "10.250.86.10/24", "dev", "eth0")
	ipCmd(t, "-n", node, "link", "set", "eth0", "up")
	ipCmd(t, "-n", sq, "link", "set", "eth0", "up")
	return node, sq
}

func ipCmd(t *testing.T, args ...string) {
	t.Helper()
	if out, err := exec.Command("ip", args...).CombinedOutput(); err != nil {
		t.Fatalf("ip %s: %v: %s", strings.Join(args, " "), err, out)
	}
}
