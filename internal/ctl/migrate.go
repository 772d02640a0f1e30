// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package ctl

import (
	"context"
	"fmt"

	"github.com/spiderpool-go/spiderpool/internal/config"
)

// Findings that only "migrate check" reports, besides those of Check.
const (
	// KindPoolOverLimit: a pool holds more records than our agents'
	// SPIDERPOOL_IPPOOL_MAX_ALLOCATED_IPS; they allocate nothing more from
	// it until it holds fewer.
	KindPoolOverLimit Kind = "pool-over-limit"
	// KindCleanupHook: a Spiderpool Helm release still has its pre-delete
	// cleanup hook, which deletes every Spider object and the CRDs on
	// "helm uninstall".
	KindCleanupHook Kind = "cleanup-hook"
	// KindUnnamedNIC: an endpoint entry with no interface name (a
	// multi-NIC pod between the ADDs of its NICs); our agents name it on
	// that NIC's next ADD. A note.
	KindUnnamedNIC Kind = "unnamed-nic"
	// KindNoHelmRelease: no Spiderpool Helm release was found or readable,
	// so whether a cleanup hook will run is not known. A note.
	KindNoHelmRelease Kind = "no-helm-release"
	// KindCountDrift: a pool's status.allocatedIPCount differs from its
	// number of records (Spiderpool before v1.0 only ever incremented it);
	// our agents write the record count with their next write to the pool.
	// A note.
	KindCountDrift Kind = "count-drift"
	// KindOwnCleanupHook: our own release's pre-delete hook, which deletes
	// the same objects on "helm uninstall" (a rollback must skip it). A
	// note.
	KindOwnCleanupHook Kind = "own-cleanup-hook"
)

// MigrateOptions are the limits "migrate check" checks against.
type MigrateOptions struct {
	// MaxAllocatedIPs is our agents' SPIDERPOOL_IPPOOL_MAX_ALLOCATED_IPS.
	MaxAllocatedIPs int
}

// MigrateCheck reports what would block adopting the state a Spiderpool
// installation left: Check's findings (records whose pod is gone, records
// and endpoints that disagree, addresses in two pools), unnamed NIC
// entries, pools over our limits and Spiderpool cleanup hooks still
// enabled in releases. It writes nothing.
func MigrateCheck(ctx context.Context, s *Snapshot, judge judgeFunc, releases HelmReleases, opts MigrateOptions) (CheckReport, error) {
	rep, err := Check(ctx, s, judge)
	if err != nil {
		return CheckReport{}, err
	}
	fs := rep.Findings
	fs = append(fs, unnamedNICs(s)...)
	fs = append(fs, poolsOverLimit(s, opts.MaxAllocatedIPs)...)
	fs = append(fs, countDrift(s)...)
	fs = append(fs, cleanupHooks(releases)...)
	sortFindings(fs)
	rep.Findings, rep.Problems = fs, 0
	for _, f := range fs {
		if f.Problem {
			rep.Problems++
		}
	}
	return rep, nil
}

// unnamedNICs finds endpoint entries without an interface name.
func unnamedNICs(s *Snapshot) []Finding {
	var fs []Finding
	for i := range s.Endpoints {
		ep := &s.Endpoints[i]
		for j, d := range ep.Status.Current.IPs {
			if d.NIC != "" {
				continue
			}
			inc := incarnation{Namespace: ep.Namespace, Name: ep.Name, UID: ep.Status.Current.UID}
			fs = append(fs, newFinding(KindUnnamedNIC, "", "", inc, fmt.Sprintf(
				"status.current.ips[%d] has no interface name; the pod's next ADD of that NIC names it, a DEL frees it with the pod", j)))
		}
	}
	return fs
}

// poolsOverLimit finds pools holding more than limit records.
func poolsOverLimit(s *Snapshot, limit int) []Finding {
	if limit <= 0 {
		return nil
	}
	records, _ := s.Records()
	count := map[string]int{}
	for _, r := range records {
		count[r.Pool]++
	}
	var fs []Finding
	for _, name := range sortedKeys(count) {
		if n := count[name]; n > limit {
			fs = append(fs, newFinding(KindPoolOverLimit, "", name, incarnation{}, fmt.Sprintf(
				"%d records, more than %s=%d: our agents allocate nothing more from it; set %s to at least %d in the agents' environment (spiderpoolAgent.extraEnv)",
				n, config.EnvIPPoolMaxAllocated, limit, config.EnvIPPoolMaxAllocated, n)))
		}
	}
	return fs
}

// countDrift finds pools whose allocatedIPCount is not their number of
// records.
func countDrift(s *Snapshot) []Finding {
	var fs []Finding
	for i := range s.Pools {
		p := &s.Pools[i]
		recs, err := poolRecords(p)
		if err != nil {
			continue // Check reports it as a bad pool
		}
		if p.Status.AllocatedIPCount != nil && *p.Status.AllocatedIPCount != int64(len(recs)) {
			fs = append(fs, newFinding(KindCountDrift, "", p.Name, incarnation{}, fmt.Sprintf(
				"status.allocatedIPCount is %d for %d records; our agents count the records and write the count with their next write to the pool",
				*p.Status.AllocatedIPCount, len(recs))))
		}
	}
	return fs
}

// cleanupHooks reports the releases whose uninstall would run a
// pre-delete cleanup, or that none could be read.
func cleanupHooks(rs HelmReleases) []Finding {
	var fs []Finding
	found := false
	for _, r := range rs.Releases {
		if !r.isSpiderpool() {
			continue
		}
		found = found || !r.ours()
		for _, h := range r.preDeleteJobs() {
			what := fmt.Sprintf("Helm release %s/%s (chart %s-%s, revision %d) runs pre-delete Job %s on uninstall",
				r.Namespace, r.Name, r.Chart.Metadata.Name, r.Chart.Metadata.Version, r.Version, h)
			if r.ours() {
				fs = append(fs, newFinding(KindOwnCleanupHook, "", "", incarnation{}, what+
					": it deletes every pool and the CRDs; uninstall it only with --no-hooks while the pools are to be kept"))
				continue
			}
			fs = append(fs, newFinding(KindCleanupHook, "", "", incarnation{}, what+
				": it deletes every pool, endpoint and the CRDs; set spiderpoolController.cleanup.enable=false with helm upgrade --reuse-values, or uninstall with --no-hooks"))
		}
	}
	if !found {
		detail := "no Spiderpool Helm release found (Secrets or ConfigMaps labelled owner=helm); if Spiderpool was installed otherwise, make sure its uninstall does not run spiderpool-controller clean"
		if rs.Err != nil {
			detail = "Helm releases not readable (" + rs.Err.Error() + "); check by hand that spiderpoolController.cleanup.enable is false"
		}
		fs = append(fs, newFinding(KindNoHelmRelease, "", "", incarnation{}, detail))
	}
	return fs
}
