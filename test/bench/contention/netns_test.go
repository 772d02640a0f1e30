// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package contention

import (
	"fmt"
	"net"
	"os"
	"testing"

	"github.com/containernetworking/plugins/pkg/netlinksafe"
	"github.com/containernetworking/plugins/pkg/ns"
)

func TestSandboxes(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("netns tests need root")
	}
	sb, err := createSandboxes(fmt.Sprintf("ctest-%d-", os.Getpid()), 3)
	t.Cleanup(func() {
		if err := sb.remove(); err != nil {
			t.Error(err)
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(sb.paths) != 3 {
		t.Fatalf("%d namespaces, want 3", len(sb.paths))
	}
	err = ns.WithNetNSPath(sb.paths[2], func(ns.NetNS) error {
		eth0, err := netlinksafe.LinkByName("eth0")
		if err != nil {
			return err
		}
		if eth0.Type() != "veth" {
			return fmt.Errorf("eth0 is a %s, want a veth", eth0.Type())
		}
		peer, err := netlinksafe.LinkByName("peer0")
		if err != nil {
			return err
		}
		if peer.Attrs().Flags&net.FlagUp == 0 {
			return fmt.Errorf("peer0 is down")
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	paths := sb.paths
	if err := sb.remove(); err != nil {
		t.Fatal(err)
	}
	for _, p := range paths {
		if _, err := os.Stat(p); !os.IsNotExist(err) {
			t.Errorf("%s is still there (%v)", p, err)
		}
	}
}
