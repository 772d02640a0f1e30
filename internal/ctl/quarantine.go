// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package ctl

import (
	"context"
	"fmt"
	"io"
	"net/netip"
	"time"

	"github.com/spf13/cobra"

	"github.com/spiderpool-go/spiderpool/internal/quarantine"
)

// DefaultQuietPeriod is how long a quarantined address must have gone
// unanswered before `ip unquarantine` clears it.
const DefaultQuietPeriod = quarantine.DefaultQuiet

// Quarantine is the quarantine record of an address, as shown by
// `ip show` and `ip unquarantine`.
type Quarantine struct {
	// Pool is the SpiderIPPool whose annotation holds the record.
	Pool string `json:"pool"`
	// Reason is why: IPConflict.
	Reason string `json:"reason"`
	// MAC is the hardware address that answered for the address.
	MAC string `json:"mac,omitempty"`
	// Pod is the pod that found the conflict, "namespace/name".
	Pod string `json:"pod,omitempty"`
	// Node is that pod's node.
	Node string `json:"node,omitempty"`
	// Since is when the address was first found in conflict.
	Since time.Time `json:"since"`
	// LastAnswer is when a probe for it was last answered.
	LastAnswer time.Time `json:"lastAnswer"`
}

func quarantineOf(e quarantine.Entry) *Quarantine {
	return &Quarantine{Pool: e.Pool, Reason: e.Reason, MAC: e.MAC, Pod: e.Pod, Node: e.Node, Since: e.Since, LastAnswer: e.LastAnswer}
}

// quarantined returns the record of ip in the snapshot's pools, or nil.
func (s *Snapshot) quarantined(ip netip.Addr) *Quarantine {
	for i := range s.Pools {
		recs, err := quarantine.Of(&s.Pools[i])
		if err != nil {
			continue
		}
		if r, ok := recs[ip]; ok {
			return quarantineOf(quarantine.Entry{Pool: s.Pools[i].Name, IP: ip, Record: r})
		}
	}
	return nil
}

func (q *Quarantine) writeLine(w io.Writer, ip string, now time.Time) error {
	_, err := fmt.Fprintf(w, "%s: quarantined in SpiderIPPool %s (%s): answered by MAC %s, found by pod %s on node %s %s ago, last answered %s ago\n",
		ip, q.Pool, q.Reason, orDash(q.MAC), orDash(q.Pod), orDash(q.Node), now.Sub(q.Since).Round(time.Second), now.Sub(q.LastAnswer).Round(time.Second))
	return err
}

// UnquarantineReport is the report of `ip unquarantine`.
type UnquarantineReport struct {
	// IP is the address cleared.
	IP string `json:"ip"`
	// Cleared is the record that was removed.
	Cleared *Quarantine `json:"cleared"`
}

func (r UnquarantineReport) writeTable(w io.Writer, now time.Time) error {
	if _, err := fmt.Fprintf(w, "%s: cleared; the pool may hand it out again\n", r.IP); err != nil {
		return err
	}
	return r.Cleared.writeLine(w, "  was", now)
}

// Unquarantine clears ip's record unless a probe was answered for it less
// than quiet before now.
func Unquarantine(ctx context.Context, store quarantine.Store, ip netip.Addr, now time.Time, quiet time.Duration) (UnquarantineReport, error) {
	e, err := store.Remove(ctx, ip, now, quiet)
	if err != nil {
		return UnquarantineReport{}, err
	}
	return UnquarantineReport{IP: ip.String(), Cleared: quarantineOf(e)}, nil
}

func newIPUnquarantineCmd(s *session) *cobra.Command {
	quiet := DefaultQuietPeriod
	cmd := &cobra.Command{
		Use:   "unquarantine <IP>",
		Short: "Let a pool hand out an address again that a host outside Kubernetes answered for: refused (exit 1) while it answered recently",
		Long: "The record notes the last time a probe for the address was answered: a pod's, then the agent's, which probes it again " +
			"every 5 minutes from the node where it was found when that node has an on-link route to it. The record is cleared once " +
			"that time is older than --quiet; where no agent can probe, make sure the other host has left the address first.",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ip, err := ParseIP(args[0])
			if err != nil {
				return err
			}
			c, err := s.connect(cmd.Context(), false)
			if err != nil {
				return err
			}
			rep, err := Unquarantine(cmd.Context(), quarantine.Store{Client: c.client}, ip, s.env.Now(), quiet)
			if err != nil {
				return err
			}
			return s.render(c.format, rep)
		},
	}
	cmd.Flags().DurationVar(&quiet, "quiet", quiet, "how long the address must have gone unanswered (0 clears at once)")
	return cmd
}
