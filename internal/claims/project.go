// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package claims

import (
	"crypto/sha256"
	"encoding/hex"
	"net/netip"
	"slices"

	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
)

// Claim is what the projection needs of one SpiderIPClaim.
type Claim struct {
	// Name is the claim object's name, for messages.
	Name string
	// IP is spec.ip.
	IP netip.Addr
	// Namespace, Pod and UID are spec.podNamespace, podName and podUID.
	Namespace, Pod, UID string
}

// Record returns the pool record of the claim, in Spiderpool's format.
func (c Claim) Record() spiderpoolv2beta1.PoolIPAllocation {
	return spiderpoolv2beta1.NewPoolIPAllocation(c.Namespace, c.Pod, c.UID)
}

// Conflict is an address whose claim and record name different pods. The
// claim wins (see Project).
type Conflict struct {
	// IP is the address.
	IP netip.Addr
	// Claim is the claim that is projected.
	Claim Claim
	// Record is the record that is dropped.
	Record spiderpoolv2beta1.PoolIPAllocation
}

// Projection is a pool's status as its claims make it.
type Projection struct {
	// Records is the new status.allocatedIPs.
	Records spiderpoolv2beta1.PoolIPAllocations
	// Adopt are the records without a claim in a status someone else wrote:
	// the claims to create for them (with Adopted set). They are in Records.
	Adopt []Claim
	// Released are the addresses of records without a claim dropped because
	// the status is the projector's own: their claims were deleted.
	Released []netip.Addr
	// Conflicts are the addresses whose record named another pod than the
	// claim.
	Conflicts []Conflict
	// Unreadable are record keys that are not addresses; they are kept as
	// they are, since nothing can be said of them.
	Unreadable []string
}

// Count is the new status.allocatedIPCount.
func (p Projection) Count() int64 { return int64(len(p.Records)) }

// Project returns the status of a pool with the given claims and current
// records. foreign says whether the records were written by someone other
// than the projector since its last write (see Foreign).
//
// Every claim is recorded, under its canonical address. A record without a
// claim is kept and adopted when foreign (Spiderpool wrote it: it must not
// be handed out before a claim holds it), and dropped as released otherwise
// (the projector wrote it from a claim that was deleted since). When a claim
// and a record of one address name different pods, the claim wins: a claim
// is created atomically and only its holder's release or the GC deletes it,
// while a record may be a projection older than the claim; the record is
// reported as a Conflict so that it is logged.
func Project(claims []Claim, records spiderpoolv2beta1.PoolIPAllocations, foreign bool) Projection {
	p := Projection{Records: make(spiderpoolv2beta1.PoolIPAllocations, len(claims))}
	byAddr := make(map[netip.Addr]Claim, len(claims))
	for _, c := range claims {
		byAddr[c.IP] = c
		p.Records[c.IP.String()] = c.Record()
	}
	for _, key := range sortedKeys(records) {
		p.addRecord(key, records[key], byAddr, foreign)
	}
	return p
}

// addRecord decides the fate of one current record.
func (p *Projection) addRecord(key string, rec spiderpoolv2beta1.PoolIPAllocation, byAddr map[netip.Addr]Claim, foreign bool) {
	a, err := netip.ParseAddr(key)
	if err != nil {
		p.Unreadable = append(p.Unreadable, key)
		p.Records[key] = rec
		return
	}
	c, claimed := byAddr[a]
	switch {
	case claimed && c.UID != rec.PodUID:
		p.Conflicts = append(p.Conflicts, Conflict{IP: a, Claim: c, Record: rec})
	case claimed:
	case foreign:
		p.Records[a.String()] = rec
		p.Adopt = append(p.Adopt, Claim{IP: a, Namespace: rec.Namespace(), Pod: rec.Name(), UID: rec.PodUID})
	default:
		p.Released = append(p.Released, a)
	}
}

// Digest returns the digest of a status.allocatedIPs value, kept by the
// projector in the pool's annotation ipam.spiderpool-go.io/projected-digest.
func Digest(allocatedIPs *string) string {
	var s string
	if allocatedIPs != nil {
		s = *allocatedIPs
	}
	sum := sha256.Sum256([]byte(s))
	return "sha256:" + hex.EncodeToString(sum[:])
}

// Foreign reports whether status.allocatedIPs was written by someone other
// than the projector since its last write: its digest is not the one the
// projector annotated the pool with (or the pool has no annotation, as when
// the projector has never written it). An empty status counts as its own:
// there is nothing to adopt.
func Foreign(allocatedIPs *string, annotated string) bool {
	if allocatedIPs == nil || *allocatedIPs == "" {
		return false
	}
	return Digest(allocatedIPs) != annotated
}

// sortedKeys returns the keys of m in order, for deterministic results.
func sortedKeys(m spiderpoolv2beta1.PoolIPAllocations) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
