// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package ctl

import (
	"fmt"

	"github.com/spiderpool-go/spiderpool/internal/gc"
)

// Findings on SpiderIPClaims, the claim storage's one object per address
// (docs/ipam.md). "check" reports them only when a claim exists; the
// claim is the truth and a pool's records are its projection.
const (
	// KindLeakedIPClaim: a SpiderIPClaim whose holder (of that pod UID) is
	// gone or dead past its grace period; the GC would delete it.
	KindLeakedIPClaim Kind = "leaked-ipclaim"
	// KindMisnamedIPClaim: a SpiderIPClaim whose name is not the one its
	// pool and address give (claims.Name), or whose spec.ip is no address.
	// Agents and the GC find a claim by that name, so a second claim of the
	// address can be created beside it.
	KindMisnamedIPClaim Kind = "misnamed-ipclaim"
	// KindOrphanIPClaim: a SpiderIPClaim of a pool that does not exist.
	KindOrphanIPClaim Kind = "orphan-ipclaim"
	// KindIPClaimRecordMismatch: a claim and its pool's record of one
	// address name different pod UIDs while the status is the projector's
	// own last write (the projector has not caught up since, or is not
	// running).
	KindIPClaimRecordMismatch Kind = "ipclaim-record-mismatch"
	// KindRecordWithoutIPClaim: a record without a claim in a pool that has
	// claims, while the status is the projector's own: its claim was
	// deleted and the next projection should have dropped it.
	KindRecordWithoutIPClaim Kind = "record-without-ipclaim"

	// KindProjectionPending: a claim its pool's status does not show yet
	// (no record, or, in a status someone else wrote, a record of another
	// pod UID); the projector writes it. A note.
	KindProjectionPending Kind = "projection-pending"
	// KindAdoptionPending: a record without a claim in a status someone
	// else wrote (Spiderpool, or agents with the claim storage off); the
	// projector creates its claim. A note.
	KindAdoptionPending Kind = "adoption-pending"
)

// ipClaimView is what the claim findings read besides the records and the
// verdicts.
type ipClaimView struct {
	// claims are the SpiderIPClaims.
	claims []IPClaim
	// own says, per existing pool, whether its status is the projector's
	// last write (Snapshot.ProjectedStatus).
	own map[string]bool
}

// withIPClaims is the pure part of Check on claims: fs, classify's
// findings, with those on the claims, the pools' records and the GC's
// judgement of every holder. Without claims, fs is returned as it is.
func withIPClaims(fs []Finding, records []Record, v ipClaimView, verdicts map[incarnation]gc.Judgement) []Finding {
	if len(v.claims) == 0 {
		return fs
	}
	fs = dropClaimedEndpoints(fs, v.claims)
	fs = append(fs, misnamedIPClaims(v.claims)...)
	fs = append(fs, judgedIPClaims(records, v.claims, verdicts)...)
	fs = append(fs, unprojectedIPClaims(records, v, verdicts)...)
	fs = append(fs, recordsWithoutIPClaim(records, v)...)
	return fs
}

// misnamedIPClaims finds claims not named after their pool and address.
func misnamedIPClaims(ipClaims []IPClaim) []Finding {
	names := make(map[string]bool, len(ipClaims))
	for _, c := range ipClaims {
		names[c.Name] = true
	}
	var fs []Finding
	for _, c := range ipClaims {
		want := c.expectedName()
		switch {
		case want == "":
			fs = append(fs, ipClaimFinding(KindMisnamedIPClaim, c, fmt.Sprintf(
				"%s: spec.pool %q and spec.ip %q name no claim; delete it (kubectl delete spideripclaim %s) and let the agent allocate again",
				c.describe(), c.Pool, c.IP, c.Name)))
		case want != c.Name:
			also := ""
			if names[want] {
				also = fmt.Sprintf(", and SpiderIPClaim %s holds the same address", want)
			}
			fs = append(fs, ipClaimFinding(KindMisnamedIPClaim, c, fmt.Sprintf(
				"%s: its name must be %s%s; agents and the GC look for that name only: delete it (kubectl delete spideripclaim %s) and create %s with the same spec if the holder is alive",
				c.describe(), want, also, c.Name, want)))
		}
	}
	return fs
}

// judgedIPClaims reports the claims the GC would delete (leaks) and, for
// claims whose record does not already tell, what it keeps on purpose.
func judgedIPClaims(records []Record, ipClaims []IPClaim, verdicts map[incarnation]gc.Judgement) []Finding {
	recorded := map[string]bool{}
	for _, r := range records {
		recorded[claimKey(r.Pool, r.IP, r.UID)] = true
	}
	var fs []Finding
	for _, c := range ipClaims {
		v := verdicts[c.incarnation()]
		k, ok := judgedKind(v, KindLeakedIPClaim)
		switch {
		case !ok || !c.judgeable():
		case k == KindLeakedIPClaim:
			fs = append(fs, ipClaimFinding(k, c, fmt.Sprintf(
				"%s: %s; the GC deletes it (controller with SPIDERPOOL_CLAIM_STORAGE=true) and the projector then drops its record; otherwise: kubectl delete spideripclaim %s",
				c.describe(), v.Reason, c.Name)))
		case !recorded[claimKey(c.Pool, c.IP, c.UID)]:
			fs = append(fs, ipClaimFinding(k, c, c.describe()+": "+v.Reason))
		}
	}
	return fs
}

// unprojectedIPClaims finds claims their pool's status does not record for
// the claim's pod UID. Claims of pools that do not exist are orphans;
// leaked claims are already reported.
func unprojectedIPClaims(records []Record, v ipClaimView, verdicts map[incarnation]gc.Judgement) []Finding {
	recorded := map[string]Record{}
	for _, r := range records {
		recorded[claimKey(r.Pool, r.IP, "")] = r
	}
	var fs []Finding
	for _, c := range v.claims {
		own, poolExists := v.own[c.Pool]
		r, ok := recorded[claimKey(c.Pool, c.IP, "")]
		switch {
		case verdicts[c.incarnation()].Release || (ok && r.UID == c.UID):
		case !poolExists:
			fs = append(fs, ipClaimFinding(KindOrphanIPClaim, c, fmt.Sprintf(
				"%s: pool %s does not exist, so nothing records or frees the address; delete it: kubectl delete spideripclaim %s",
				c.describe(), c.Pool, c.Name)))
		case ok && own:
			fs = append(fs, ipClaimFinding(KindIPClaimRecordMismatch, c, fmt.Sprintf(
				"%s, but the pool's status, the projector's last write, records it for %s (uid %s): run check again (the projector writes within seconds); if it stays, the projector is not running: is the controller's SPIDERPOOL_CLAIM_STORAGE true, and does it lead?",
				c.describe(), r.incarnation().pod(), r.UID)))
		case ok:
			fs = append(fs, ipClaimFinding(KindProjectionPending, c, fmt.Sprintf(
				"%s; the pool's status, written by someone else since the projector's last write, records it for %s (uid %s): the next projection gives it to the claim",
				c.describe(), r.incarnation().pod(), r.UID)))
		default:
			fs = append(fs, ipClaimFinding(KindProjectionPending, c,
				c.describe()+"; the pool's status has no record of it yet: the projector writes it within seconds (if it stays, check the controller's SPIDERPOOL_CLAIM_STORAGE)"))
		}
	}
	return fs
}

// recordsWithoutIPClaim finds records without a claim in the pools that
// have claims: dropped late in a status that is the projector's own,
// adopted later in one that someone else wrote.
func recordsWithoutIPClaim(records []Record, v ipClaimView) []Finding {
	claimed, pools := map[string]bool{}, map[string]bool{}
	for _, c := range v.claims {
		claimed[claimKey(c.Pool, c.IP, "")] = true
		pools[c.Pool] = true
	}
	var fs []Finding
	for _, r := range records {
		if !pools[r.Pool] || claimed[claimKey(r.Pool, r.IP, "")] {
			continue
		}
		if v.own[r.Pool] {
			fs = append(fs, newFinding(KindRecordWithoutIPClaim, r.IP, r.Pool, r.incarnation(), fmt.Sprintf(
				"pool %s records %s for %s (uid %s) without a SpiderIPClaim, in a status that is the projector's last write: its claim was deleted and the record should have gone; run check again, and if it stays, the projector is not running (controller's SPIDERPOOL_CLAIM_STORAGE)",
				r.Pool, r.IP, r.incarnation().pod(), r.UID)))
			continue
		}
		fs = append(fs, newFinding(KindAdoptionPending, r.IP, r.Pool, r.incarnation(), fmt.Sprintf(
			"pool %s records %s for %s (uid %s) without a SpiderIPClaim, in a status written by someone else since the projector's last write: the projector adopts it (creates its claim) with the switch on",
			r.Pool, r.IP, r.incarnation().pod(), r.UID)))
	}
	return fs
}

// dropClaimedEndpoints removes the endpoint-without-record findings of
// addresses a SpiderIPClaim holds for the endpoint's pod UID: the claim is
// the truth, and the record follows it by the projection (the claim's own
// findings say when it lags).
func dropClaimedEndpoints(fs []Finding, ipClaims []IPClaim) []Finding {
	held := map[string]bool{}
	for _, c := range ipClaims {
		held[claimKey(c.Pool, c.IP, c.UID)] = true
	}
	out := fs[:0]
	for _, f := range fs {
		if f.Kind != KindEndpointWithoutRecord || !held[claimKey(f.Pool, f.IP, f.UID)] {
			out = append(out, f)
		}
	}
	return out
}

// describe names the claim, its address and pool and its holder.
func (c IPClaim) describe() string {
	return fmt.Sprintf("SpiderIPClaim %s holds %s of pool %s for %s/%s (uid %s)", c.Name, c.IP, c.Pool, c.Namespace, c.PodName, c.UID)
}

// ipClaimFinding is newFinding for a claim, naming it.
func ipClaimFinding(k Kind, c IPClaim, detail string) Finding {
	f := newFinding(k, c.IP, c.Pool, c.incarnation(), detail)
	f.IPClaim = c.Name
	return f
}
