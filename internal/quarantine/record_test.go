// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package quarantine_test

import (
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/spiderpool-go/spiderpool/internal/quarantine"
)

func TestParseFormat(t *testing.T) {
	at := time.Date(2026, 12, 4, 8, 0, 0, 0, time.UTC)
	recs := quarantine.Records{
		netip.MustParseAddr("10.6.0.9"): {Reason: quarantine.ReasonConflict, MAC: "02:00:00:00:00:01", Pod: "d/p", Node: "n1", Since: at, LastAnswer: at},
		netip.MustParseAddr("fd00::10"): {Reason: quarantine.ReasonConflict, Since: at, LastAnswer: at.Add(time.Minute)},
	}
	got, err := quarantine.Parse(recs.Format())
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(recs, got, cmp.Comparer(func(a, b netip.Addr) bool { return a == b })); diff != "" {
		t.Errorf("round trip (-want +got):\n%s", diff)
	}
	if empty, err := quarantine.Parse(""); err != nil || len(empty) != 0 {
		t.Errorf("Parse(\"\") = %v, %v", empty, err)
	}
	for _, bad := range []string{`[]`, `{"10.6.0":{}}`, `{"10.6.0.9":1}`} {
		if _, err := quarantine.Parse(bad); err == nil || !strings.Contains(err.Error(), quarantine.Annotation) {
			t.Errorf("Parse(%s) = %v, want an error naming the annotation", bad, err)
		}
	}
}

func FuzzParse(f *testing.F) {
	f.Add(`{"10.6.0.9":{"reason":"IPConflict","mac":"02:00:00:00:00:01","since":"2026-12-04T08:00:00Z","lastAnswer":"2026-12-04T08:00:00Z"}}`)
	f.Add(`{"::ffff:10.0.0.1":{}}`)
	f.Add(`{}`)
	f.Fuzz(func(t *testing.T, value string) {
		recs, err := quarantine.Parse(value)
		if err != nil {
			return
		}
		again, err := quarantine.Parse(recs.Format())
		if err != nil || len(again) != len(recs) {
			t.Fatalf("Format of %q does not parse back: %v (%d vs %d)", value, err, len(again), len(recs))
		}
	})
}
