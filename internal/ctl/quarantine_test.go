// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package ctl

import (
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/spiderpool-go/spiderpool/internal/quarantine"
)

// TestQuarantineCommands: `ip show` tells why, by which MAC and since when
// an address is quarantined; `ip unquarantine` refuses while it answered
// within --quiet and clears it after.
func TestQuarantineCommands(t *testing.T) {
	e := newKenv(t)
	pool := e.pool("q", "10.250.89.0/24", []string{"10.250.89.10-10.250.89.19"}, nil)
	ip := netip.MustParseAddr("10.250.89.10")
	answered := time.Now().Add(-time.Minute).UTC().Truncate(time.Second)
	rec := quarantine.Record{Reason: quarantine.ReasonConflict, MAC: "02:00:00:00:00:07", Pod: "d/web-1", Node: "node1", Since: answered, LastAnswer: answered}
	if err := (quarantine.Store{Client: e.c}).Add(e.ctx(), pool, ip, rec); err != nil {
		t.Fatal(err)
	}

	var rep IPReport
	e.runJSON(ExitOK, &rep, "ip", "show", "10.250.89.10")
	if q := rep.Quarantine; q == nil || q.Pool != pool || q.MAC != "02:00:00:00:00:07" || q.Reason != "IPConflict" || !q.Since.Equal(answered) {
		t.Errorf("quarantine = %+v, want pool %s's record", rep.Quarantine, pool)
	}
	if _, out, _ := e.run("ip", "show", "10.250.89.10"); !strings.Contains(out, "quarantined in SpiderIPPool "+pool) || !strings.Contains(out, "02:00:00:00:00:07") {
		t.Errorf("table:\n%s", out)
	}

	if code, _, errOut := e.run("ip", "unquarantine", "10.250.89.10"); code != ExitProblems || !strings.Contains(errOut, "still answers") {
		t.Errorf("unquarantine within the quiet period: exit %d, stderr %q", code, errOut)
	}
	var un UnquarantineReport
	e.runJSON(ExitOK, &un, "ip", "unquarantine", "10.250.89.10", "--quiet", "30s")
	if un.Cleared == nil || un.Cleared.Pod != "d/web-1" {
		t.Errorf("report = %+v", un)
	}
	rep = IPReport{}
	e.runJSON(ExitOK, &rep, "ip", "show", "10.250.89.10")
	if rep.Quarantine != nil {
		t.Errorf("still quarantined: %+v", rep.Quarantine)
	}
	if code, _, errOut := e.run("ip", "unquarantine", "10.250.89.10"); code != ExitError || !strings.Contains(errOut, "not quarantined") {
		t.Errorf("unquarantine again: exit %d, stderr %q", code, errOut)
	}
}
