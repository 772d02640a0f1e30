// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package ifacer

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/vishvananda/netlink"
)

// fakeLinks is a node of links in memory that records every call.
type fakeLinks struct {
	links []netlink.Link
	calls []string
	next  int
}

var _ Links = (*fakeLinks)(nil)

func newFakeLinks(links ...netlink.Link) *fakeLinks {
	f := &fakeLinks{next: 10}
	for i, l := range links {
		l.Attrs().Index = i + 1
		f.links = append(f.links, l)
	}
	return f
}

func (f *fakeLinks) LinkByName(name string) (netlink.Link, error) {
	for _, l := range f.links {
		if l.Attrs().Name == name {
			return l, nil
		}
	}
	return nil, netlink.LinkNotFoundError{}
}

func (f *fakeLinks) LinkList() ([]netlink.Link, error) { return f.links, nil }

func (f *fakeLinks) LinkAdd(l netlink.Link) error {
	f.next++
	l.Attrs().Index = f.next
	f.links = append(f.links, l)
	switch v := l.(type) {
	case *netlink.Vlan:
		f.calls = append(f.calls, fmt.Sprintf("add vlan %s parent %d id %d", v.Name, v.ParentIndex, v.VlanId))
	case *netlink.Bond:
		f.calls = append(f.calls, fmt.Sprintf("add bond %s mode %d miimon %d xmit %d", v.Name, v.Mode, v.Miimon, v.XmitHashPolicy))
	}
	return nil
}

func (f *fakeLinks) LinkSetUp(l netlink.Link) error {
	f.calls = append(f.calls, "up "+l.Attrs().Name)
	return nil
}

func (f *fakeLinks) LinkSetDown(l netlink.Link) error {
	f.calls = append(f.calls, "down "+l.Attrs().Name)
	return nil
}

func (f *fakeLinks) LinkSetMaster(l, m netlink.Link) error {
	f.calls = append(f.calls, "enslave "+l.Attrs().Name+" to "+m.Attrs().Name)
	return nil
}

func dev(name string) netlink.Link { return &netlink.Device{LinkAttrs: netlink.LinkAttrs{Name: name}} }

func vlan(name string, id int) netlink.Link {
	return &netlink.Vlan{LinkAttrs: netlink.LinkAttrs{Name: name}, VlanId: id}
}

func TestSetUpDevices(t *testing.T) {
	bond := func(opts string) *BondConf { return &BondConf{Name: "bond0", Mode: 4, Options: opts} }
	tests := []struct {
		name   string
		links  []netlink.Link
		conf   NetConf
		device string
		calls  []string
		err    string
	}{
		{"one interface, no VLAN", []netlink.Link{dev("eth1")}, NetConf{Interfaces: []string{"eth1"}}, "", nil, ""},
		{"VLAN made", []netlink.Link{dev("eth1")}, NetConf{Interfaces: []string{"eth1"}, VlanID: 100}, "eth1.100",
			[]string{"up eth1", "add vlan eth1.100 parent 1 id 100", "up eth1.100"}, ""},
		{"VLAN there", []netlink.Link{dev("eth1"), vlan("eth1.100", 100)}, NetConf{Interfaces: []string{"eth1"}, VlanID: 100}, "eth1.100",
			[]string{"up eth1", "up eth1.100"}, ""},
		{"duplicate VLAN ID", []netlink.Link{dev("eth1"), vlan("vlan100", 100)}, NetConf{Interfaces: []string{"eth1"}, VlanID: 100}, "",
			nil, "vlan100 already has VLAN ID 100"},
		{"name too long", []netlink.Link{dev("enp0s31f6abcd")}, NetConf{Interfaces: []string{"enp0s31f6abcd"}, VlanID: 100}, "", nil, "longer than 15"},
		{"two interfaces, no bond", []netlink.Link{dev("eth1"), dev("eth2")}, NetConf{Interfaces: []string{"eth1", "eth2"}}, "", nil, ""},
		{"bond made", []netlink.Link{dev("eth1"), dev("eth2")},
			NetConf{Interfaces: []string{"eth1", "eth2"}, Bond: bond("miimon=100;xmit_hash_policy=layer3+4")}, "bond0",
			[]string{"add bond bond0 mode 4 miimon 100 xmit 1", "down eth1", "enslave eth1 to bond0", "up eth1",
				"down eth2", "enslave eth2 to bond0", "up eth2", "up bond0"}, ""},
		{"bond there", []netlink.Link{dev("eth1"), dev("eth2"), netlink.NewLinkBond(netlink.LinkAttrs{Name: "bond0"})},
			NetConf{Interfaces: []string{"eth1", "eth2"}, Bond: bond("")}, "bond0", []string{"up bond0"}, ""},
		{"bond name taken", []netlink.Link{dev("eth1"), dev("eth2"), dev("bond0")},
			NetConf{Interfaces: []string{"eth1", "eth2"}, Bond: bond("")}, "", nil, "not a bond"},
		{"VLAN on bond", []netlink.Link{dev("eth1"), dev("eth2")},
			NetConf{Interfaces: []string{"eth1", "eth2"}, VlanID: 20, Bond: bond("")}, "bond0.20",
			[]string{"add bond bond0 mode 4 miimon -1 xmit -1", "down eth1", "enslave eth1 to bond0", "up eth1",
				"down eth2", "enslave eth2 to bond0", "up eth2", "up bond0", "up bond0", "add vlan bond0.20 parent 11 id 20", "up bond0.20"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeLinks(tt.links...)
			conf := tt.conf
			if conf.Bond != nil {
				var err error
				if conf.BondOptions, err = ParseBondOptions(conf.Bond.Options); err != nil {
					t.Fatal(err)
				}
			}
			got, err := setUpDevices(f, &conf)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("got %v, want an error with %q", err, tt.err)
				}
				if strings.Contains(tt.err, "VLAN ID") && !errors.Is(err, ErrDuplicateVlan) {
					t.Errorf("got %v, want ErrDuplicateVlan", err)
				}
				return
			}
			if err != nil || got != tt.device {
				t.Fatalf("got %q, %v; want %q", got, err, tt.device)
			}
			if diff := cmp.Diff(tt.calls, f.calls); diff != "" {
				t.Errorf("netlink calls (-want +got):\n%s", diff)
			}
		})
	}
}
