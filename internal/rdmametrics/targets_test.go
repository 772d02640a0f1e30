// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package rdmametrics_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/spiderpool-go/spiderpool/internal/rdmametrics"
)

// TestTargets: each netns once, never the host's or "default", with the
// pod the book names for any path of it.
func TestTargets(t *testing.T) {
	host := rdmametrics.NetnsID{Dev: 4, Ino: 1}
	found := []rdmametrics.Candidate{
		{Path: "/var/run/netns/default", ID: rdmametrics.NetnsID{Dev: 4, Ino: 9}},
		{Path: "/var/run/netns/cni-aaa", ID: rdmametrics.NetnsID{Dev: 4, Ino: 20}},
		{Path: "/var/run/netns/cni-bbb", ID: rdmametrics.NetnsID{Dev: 4, Ino: 21}},
		{Path: "/var/run/netns/host-alias", ID: host},
		{Path: "/var/run/docker/netns/5f1c", ID: rdmametrics.NetnsID{Dev: 4, Ino: 22}},
		{Path: "/proc/4242/ns/net", ID: rdmametrics.NetnsID{Dev: 4, Ino: 22}},
		{Path: "/var/run/netns/cni-aaa", ID: rdmametrics.NetnsID{Dev: 4, Ino: 20}},
	}
	book := map[string]rdmametrics.Pod{"/var/run/netns/cni-aaa": {Namespace: "ai", Name: "a"}, "/proc/4242/ns/net": {Namespace: "ai", Name: "d"}}
	want := []rdmametrics.Target{
		{Path: "/var/run/docker/netns/5f1c", Pod: &rdmametrics.Pod{Namespace: "ai", Name: "d"}},
		{Path: "/var/run/netns/cni-aaa", Pod: &rdmametrics.Pod{Namespace: "ai", Name: "a"}},
		{Path: "/var/run/netns/cni-bbb"},
	}
	if diff := cmp.Diff(want, rdmametrics.Targets(found, host, book)); diff != "" {
		t.Errorf("targets (-want +got):\n%s", diff)
	}
}

// TestPodBook: a pod's paths are forgotten with the pod or when gone.
func TestPodBook(t *testing.T) {
	var b rdmametrics.PodBook
	a, c := rdmametrics.Pod{Namespace: "ai", Name: "a"}, rdmametrics.Pod{Namespace: "ai", Name: "c"}
	b.Add("/var/run/netns/cni-1", a)
	b.Add("/var/run/netns/cni-2", a)
	b.Add("/var/run/netns/cni-3", c)
	b.Add("", c)
	b.Forget(a)
	if diff := cmp.Diff([]string{"/var/run/netns/cni-3"}, b.Paths()); diff != "" {
		t.Errorf("after Forget (-want +got):\n%s", diff)
	}
	b.Keep(func(string) bool { return false })
	if got := b.Paths(); len(got) != 0 {
		t.Errorf("after Keep(none): %v", got)
	}
}
