// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package ctl

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/spiderpool-go/spiderpool/internal/gc"
)

// Check compares pool records, endpoints and live pods (through judge)
// like `calicoctl ipam check`.
func Check(ctx context.Context, s *Snapshot, judge judgeFunc) (CheckReport, error) {
	records, bad := s.Records()
	claims := s.Claims()
	ipClaims := s.IPClaims()
	j := newJudges(judge)
	if err := j.all(ctx, holders(records, claims, ipClaims)); err != nil {
		return CheckReport{}, err
	}
	fs := classify(records, claims, j.seen)
	fs = withIPClaims(fs, records, ipClaimView{claims: ipClaims, own: s.ProjectedStatus()}, j.seen)
	for _, name := range sortedKeys(bad) {
		fs = append(fs, newFinding(KindBadPool, "", name, incarnation{}, bad[name].Error()))
	}
	sortFindings(fs)
	rep := CheckReport{
		Pools: len(s.Pools), Records: len(records), Endpoints: len(s.Endpoints), IPClaims: len(ipClaims), Findings: fs,
	}
	for _, f := range fs {
		if f.Problem {
			rep.Problems++
		}
	}
	return rep, nil
}

// holders lists the incarnations the records, the endpoints' claims and the
// SpiderIPClaims name, in that order; claims naming no whole incarnation
// are left out, as the GC leaves them.
func holders(records []Record, claims []Claim, ipClaims []IPClaim) []incarnation {
	out := make([]incarnation, 0, len(records)+len(claims)+len(ipClaims))
	for _, r := range records {
		out = append(out, r.incarnation())
	}
	for _, c := range claims {
		out = append(out, c.incarnation())
	}
	for _, c := range ipClaims {
		if c.judgeable() {
			out = append(out, c.incarnation())
		}
	}
	return out
}

// classify is the pure part of Check: findings from the records, the
// endpoints' claims and the GC's judgement of every incarnation they name.
func classify(records []Record, claims []Claim, verdicts map[incarnation]gc.Judgement) []Finding {
	var fs []Finding
	fs = append(fs, duplicateRecords(records)...)
	fs = append(fs, duplicateClaims(claims, verdicts)...)
	fs = append(fs, judgedIncarnations(records, claims, verdicts)...)
	fs = append(fs, unmatchedRecords(records, claims, verdicts)...)
	fs = append(fs, unmatchedClaims(records, claims, verdicts)...)
	return fs
}

// duplicateRecords finds addresses recorded in more than one pool.
func duplicateRecords(records []Record) []Finding {
	byIP := map[string][]Record{}
	for _, r := range records {
		byIP[r.IP] = append(byIP[r.IP], r)
	}
	var fs []Finding
	for ip, rs := range byIP {
		if len(rs) < 2 {
			continue
		}
		pools := make([]string, 0, len(rs))
		for _, r := range rs {
			pools = append(pools, r.Pool)
		}
		detail := "recorded in pools " + strings.Join(pools, ", ")
		for _, r := range rs {
			fs = append(fs, newFinding(KindDuplicateRecord, ip, r.Pool, r.incarnation(), detail))
		}
	}
	return fs
}

// duplicateClaims finds addresses that endpoints of two or more live pods
// claim.
func duplicateClaims(claims []Claim, verdicts map[incarnation]gc.Judgement) []Finding {
	byIP := map[string]map[incarnation]Claim{}
	for _, c := range claims {
		if !verdicts[c.incarnation()].HolderAlive {
			continue
		}
		if byIP[c.IP] == nil {
			byIP[c.IP] = map[incarnation]Claim{}
		}
		byIP[c.IP][c.incarnation()] = c
	}
	var fs []Finding
	for ip, holders := range byIP {
		if len(holders) < 2 {
			continue
		}
		pods := make([]string, 0, len(holders))
		for inc := range holders {
			pods = append(pods, inc.pod())
		}
		sort.Strings(pods)
		detail := "claimed by live pods " + strings.Join(pods, ", ")
		for inc, c := range holders {
			fs = append(fs, newFinding(KindDuplicateClaim, ip, c.Pool, inc, detail))
		}
	}
	return fs
}

// judgedIncarnations reports what the GC would release (leaks) and what
// it keeps on purpose (notes).
func judgedIncarnations(records []Record, claims []Claim, verdicts map[incarnation]gc.Judgement) []Finding {
	var fs []Finding
	withRecords := map[incarnation]bool{}
	for _, r := range records {
		withRecords[r.incarnation()] = true
		if k, ok := judgedKind(verdicts[r.incarnation()], KindLeakedRecord); ok {
			fs = append(fs, newFinding(k, r.IP, r.Pool, r.incarnation(), verdicts[r.incarnation()].Reason))
		}
	}
	seen := map[incarnation]bool{}
	for _, c := range claims {
		inc := c.incarnation()
		if withRecords[inc] || seen[inc] {
			continue // its records already tell
		}
		seen[inc] = true
		if k, ok := judgedKind(verdicts[inc], KindStaleEndpoint); ok {
			fs = append(fs, newFinding(k, "", "", inc, verdicts[inc].Reason))
		}
	}
	return fs
}

// judgedKind maps a verdict to a finding kind, with dead as the kind of a
// release; ok is false for the living.
func judgedKind(v gc.Judgement, dead Kind) (Kind, bool) {
	switch {
	case v.Release:
		return dead, true
	case v.KeptForSuccessor:
		return KindKeptByDesign, true
	case v.Wait > 0 || (!v.HolderAlive && v.Reason != ""):
		return KindPendingGC, true
	}
	return "", false
}

// unmatchedRecords finds records of pods that are not dead whose endpoint
// does not list the address for the record's UID.
func unmatchedRecords(records []Record, claims []Claim, verdicts map[incarnation]gc.Judgement) []Finding {
	claimed := map[string]bool{}
	for _, c := range claims {
		claimed[claimKey(c.Pool, c.IP, c.UID)] = true
	}
	var fs []Finding
	for _, r := range records {
		v := verdicts[r.incarnation()]
		if v.Release || !v.HolderAlive || claimed[claimKey(r.Pool, r.IP, r.UID)] {
			continue
		}
		fs = append(fs, newFinding(KindRecordWithoutEndpoint, r.IP, r.Pool, r.incarnation(),
			"the pod of this UID is alive but its SpiderEndpoint does not list the address (an allocation in flight shows so too: run check again)"))
	}
	return fs
}

// unmatchedClaims finds endpoint addresses that their pool does not record
// for the endpoint's UID; endpoints the GC would release are already
// reported as stale.
func unmatchedClaims(records []Record, claims []Claim, verdicts map[incarnation]gc.Judgement) []Finding {
	recorded := map[string]string{} // pool+ip -> uid
	for _, r := range records {
		recorded[claimKey(r.Pool, r.IP, "")] = r.UID
	}
	var fs []Finding
	for _, c := range claims {
		if verdicts[c.incarnation()].Release {
			continue
		}
		uid, ok := recorded[claimKey(c.Pool, c.IP, "")]
		switch {
		case !ok:
			fs = append(fs, newFinding(KindEndpointWithoutRecord, c.IP, c.Pool, c.incarnation(),
				fmt.Sprintf("pool %q has no record of it (interface %s)", c.Pool, c.NIC)))
		case uid != c.UID:
			fs = append(fs, newFinding(KindEndpointWithoutRecord, c.IP, c.Pool, c.incarnation(),
				fmt.Sprintf("pool %q records it for pod UID %s (interface %s)", c.Pool, uid, c.NIC)))
		}
	}
	return fs
}

func claimKey(pool, ip, uid string) string { return pool + "|" + ip + "|" + uid }

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
