// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package nodesim

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/containernetworking/plugins/pkg/netlinksafe"
	"github.com/containernetworking/plugins/pkg/ns"
	"github.com/vishvananda/netlink"
)

// requireRoot skips tests that create network namespaces and run plugins.
func requireRoot(t *testing.T) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("needs root (network namespaces, CNI plugins): run `sudo go test -race ./test/lab/nodesim/...`")
	}
}

// pluginsDir returns the CNI plugin dir: $CNI_PLUGINS_DIR, else the cache
// hack/testbin.sh fills. It skips the test when the plugins are missing.
func pluginsDir(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("CNI_PLUGINS_DIR")
	if dir == "" {
		cache, err := os.UserCacheDir()
		if err != nil {
			t.Skipf("no CNI_PLUGINS_DIR and no cache dir: %v", err)
		}
		dir = filepath.Join(cache, "spiderpool-testbin", "cni-plugins-v1.9.1")
	}
	for _, p := range []string{"macvlan", "host-local"} {
		if _, err := os.Stat(filepath.Join(dir, p)); err != nil {
			t.Skipf("CNI plugin %s not found in %s: run hack/testbin.sh or set CNI_PLUGINS_DIR", p, dir)
		}
	}
	return dir
}

func randSuffix(t *testing.T) string {
	t.Helper()
	b := make([]byte, 3)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(b)
}

// testNode is a node's host netns holding a veth pair eth0/eth0p (the
// underlay NIC) and a second pair whose name exists only there.
type testNode struct {
	suffix      string
	hostNS      string
	netnsPrefix string
	// uniqueNIC is a parent NIC whose name the root netns does not have.
	uniqueNIC string
}

func newTestNode(t *testing.T) *testNode {
	t.Helper()
	requireRoot(t)
	s := randSuffix(t)
	n := &testNode{
		suffix:      s,
		hostNS:      filepath.Join(defaultNetNSDir, "nodesim-t"+s+"-host"),
		netnsPrefix: "nodesim-t" + s + "-pod-",
		uniqueNIC:   "up" + s,
	}
	if err := createNetNS(n.hostNS); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { n.cleanup(t) })
	err := ns.WithNetNSPath(n.hostNS, func(ns.NetNS) error {
		return errors.Join(addVethPair("eth0", "eth0p"), addVethPair(n.uniqueNIC, n.uniqueNIC+"p"))
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// cleanup removes every pod netns left with this node's prefix, then the
// host netns (which takes the veth pairs with it).
func (n *testNode) cleanup(t *testing.T) {
	t.Helper()
	for _, p := range n.podNetNSes(t) {
		if err := removeNetNS(p); err != nil {
			t.Error(err)
		}
	}
	if err := removeNetNS(n.hostNS); err != nil {
		t.Error(err)
	}
}

func (n *testNode) podNetNSes(t *testing.T) []string {
	t.Helper()
	found, err := filepath.Glob(filepath.Join(defaultNetNSDir, n.netnsPrefix+"*"))
	if err != nil {
		t.Fatal(err)
	}
	return found
}

func (n *testNode) runtime(t *testing.T) *sandboxRuntime {
	t.Helper()
	return &sandboxRuntime{
		cni:         newCNIRunner([]string{pluginsDir(t)}, t.TempDir(), n.hostNS),
		store:       sandboxStore{dir: t.TempDir()},
		netnsDir:    defaultNetNSDir,
		netnsPrefix: n.netnsPrefix,
		now:         time.Now,
	}
}

func addVethPair(name, peer string) error {
	veth := &netlink.Veth{LinkAttrs: netlink.LinkAttrs{Name: name}, PeerName: peer}
	if err := netlink.LinkAdd(veth); err != nil {
		return fmt.Errorf("add veth %s: %w", name, err)
	}
	for _, l := range []string{name, peer} {
		link, err := netlinksafe.LinkByName(l)
		if err != nil {
			return err
		}
		if err := netlink.LinkSetUp(link); err != nil {
			return fmt.Errorf("set %s up: %w", l, err)
		}
	}
	return nil
}

// macvlanNet is a macvlan + host-local network called name in the network
// status; the conflist name is name with '/' replaced by '-'.
func macvlanNet(t *testing.T, name, ifName, master, dataDir string, subnets ...string) network {
	t.Helper()
	var ranges []string
	for _, s := range subnets {
		ranges = append(ranges, fmt.Sprintf(`[{"subnet":%q}]`, s))
	}
	confName := strings.ReplaceAll(name, "/", "-")
	raw := fmt.Sprintf(`{"cniVersion":"1.0.0","name":%q,"plugins":[{"type":"macvlan","master":%q,"mode":"bridge",
		"ipam":{"type":"host-local","dataDir":%q,"ranges":[%s]}}]}`, confName, master, dataDir, strings.Join(ranges, ","))
	conf, err := normalizeNetConf([]byte(raw), confName)
	if err != nil {
		t.Fatal(err)
	}
	return network{Name: name, IfName: ifName, Default: ifName == defaultIfName, Config: conf}
}

// addrsIn lists the addresses (without prefix) of ifName in netns path.
func addrsIn(t *testing.T, path, ifName string) []string {
	t.Helper()
	var out []string
	err := ns.WithNetNSPath(path, func(ns.NetNS) error {
		link, err := netlinksafe.LinkByName(ifName)
		if err != nil {
			return err
		}
		if link.Type() != "macvlan" {
			return fmt.Errorf("%s is a %s, want macvlan", ifName, link.Type())
		}
		addrs, err := netlinksafe.AddrList(link, netlink.FAMILY_ALL)
		for _, a := range addrs {
			if a.IP.IsGlobalUnicast() {
				out = append(out, a.IP.String())
			}
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// reservations lists the addresses host-local holds under dataDir.
func reservations(t *testing.T, dataDir string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(dataDir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if _, perr := netip.ParseAddr(d.Name()); perr == nil && !d.IsDir() {
			out = append(out, d.Name())
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}
