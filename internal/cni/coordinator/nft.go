// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package coordinator

import (
	"fmt"

	"github.com/google/nftables"
	"github.com/google/nftables/binaryutil"
	"github.com/google/nftables/expr"
)

// NftTable is the nftables table (families ip and ip6) holding the pod's
// mark rules. The packet filter rules are written with google/nftables
// over netlink: pods and nodes need no iptables binary, and the rules are
// the kernel's own objects (docs/coordinator.md).
const NftTable = "spiderpool-coordinator"

// ReplyMark marks connections that came in through veth0; the rule
// "fwmark 0x1 lookup 100" sends their replies back the same way.
const (
	ReplyMark  = 0x1
	ReplyTable = 100
)

// installMarkRules replaces the pod's NftTable, for both families, with:
//
//	prerouting (mangle): iifname "veth0" ct state new meta mark set 0x1
//	                     meta mark 0x1 ct mark set meta mark
//	output (route, mangle): meta mark set ct mark
//
// the equivalent of Spiderpool's mangle MARK and CONNMARK save/restore.
func installMarkRules(netnsFd int) error {
	c, err := nftables.New(nftables.WithNetNSFd(netnsFd))
	if err != nil {
		return fmt.Errorf("nftables: %w", err)
	}
	for _, fam := range []nftables.TableFamily{nftables.TableFamilyIPv4, nftables.TableFamilyIPv6} {
		if err := replaceTable(c, fam); err != nil {
			return err
		}
	}
	if err := c.Flush(); err != nil {
		return fmt.Errorf("nftables: install the mark rules of table %s in the pod: %w", NftTable, err)
	}
	return nil
}

func replaceTable(c *nftables.Conn, fam nftables.TableFamily) error {
	tables, err := c.ListTablesOfFamily(fam)
	if err != nil {
		return fmt.Errorf("nftables: list tables: %w", err)
	}
	t := &nftables.Table{Name: NftTable, Family: fam}
	for _, old := range tables {
		if old.Name == NftTable {
			c.DelTable(old)
		}
	}
	c.AddTable(t)
	pre := c.AddChain(&nftables.Chain{Name: "prerouting", Table: t, Type: nftables.ChainTypeFilter,
		Hooknum: nftables.ChainHookPrerouting, Priority: nftables.ChainPriorityMangle})
	out := c.AddChain(&nftables.Chain{Name: "output", Table: t, Type: nftables.ChainTypeRoute,
		Hooknum: nftables.ChainHookOutput, Priority: nftables.ChainPriorityMangle})
	mark := binaryutil.NativeEndian.PutUint32(ReplyMark)
	c.AddRule(&nftables.Rule{Table: t, Chain: pre, Exprs: []expr.Any{
		&expr.Meta{Key: expr.MetaKeyIIFNAME, Register: 1},
		&expr.Cmp{Op: expr.CmpOpEq, Register: 1, Data: ifname(PodVeth)},
		&expr.Ct{Key: expr.CtKeySTATE, Register: 1},
		&expr.Bitwise{SourceRegister: 1, DestRegister: 1, Len: 4,
			Mask: binaryutil.NativeEndian.PutUint32(expr.CtStateBitNEW), Xor: make([]byte, 4)},
		&expr.Cmp{Op: expr.CmpOpNeq, Register: 1, Data: make([]byte, 4)},
		&expr.Immediate{Register: 1, Data: mark},
		&expr.Meta{Key: expr.MetaKeyMARK, SourceRegister: true, Register: 1},
	}})
	c.AddRule(&nftables.Rule{Table: t, Chain: pre, Exprs: []expr.Any{
		&expr.Meta{Key: expr.MetaKeyMARK, Register: 1},
		&expr.Cmp{Op: expr.CmpOpEq, Register: 1, Data: mark},
		&expr.Ct{Key: expr.CtKeyMARK, Register: 1, SourceRegister: true},
	}})
	c.AddRule(&nftables.Rule{Table: t, Chain: out, Exprs: []expr.Any{
		&expr.Ct{Key: expr.CtKeyMARK, Register: 1},
		&expr.Meta{Key: expr.MetaKeyMARK, SourceRegister: true, Register: 1},
	}})
	return nil
}

// ifname is an interface name as nftables compares it: NUL-padded to
// IFNAMSIZ.
func ifname(n string) []byte {
	b := make([]byte, 16)
	copy(b, n)
	return b
}
