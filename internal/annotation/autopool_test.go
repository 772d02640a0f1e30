// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package annotation

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseIPNumber(t *testing.T) {
	tests := []struct {
		in       string
		want     IPNumber
		replicas int
		size     int
	}{
		{"2", IPNumber{N: 2}, 5, 2},
		{"0", IPNumber{}, 5, 0},
		{"+1", IPNumber{Flexible: true, N: 1}, 3, 4},
		{"+0", IPNumber{Flexible: true}, 3, 3},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			got, err := ParseIPNumber(tc.in)
			if err != nil {
				t.Fatalf("ParseIPNumber() error = %v", err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("ParseIPNumber() mismatch (-want +got):\n%s", diff)
			}
			if s := got.String(); s != tc.in {
				t.Errorf("String() = %q, want %q", s, tc.in)
			}
			if n := got.Size(tc.replicas); n != tc.size {
				t.Errorf("Size(%d) = %d, want %d", tc.replicas, n, tc.size)
			}
		})
	}
	runInvalid(t, KeyIPPoolIPNumber, ParseIPNumber, []invalidCase{
		{"empty", "", []string{"value is empty", `"2" (a fixed size) or "+1"`}},
		{"negative", "-1", []string{`"-1" is negative`}},
		{"flexible negative", "+-1", []string{`"+-1" is negative`}},
		{"two pluses", "++1", []string{"more than one '+'"}},
		{"trailing plus", "1+", []string{"more than one '+' or a '+' not in front"}},
		{"plus alone", "+", []string{`"+" is not a whole number`}},
		{"space", " 2", []string{`" 2" is not a whole number`}},
		{"fraction", "1.5", []string{"not a whole number"}},
		{"too big", "99999999999", []string{"below 2^31"}},
	})
}

func TestParseReclaim(t *testing.T) {
	for in, want := range map[string]bool{"true": true, "false": false, "1": true, "0": false, "True": true, "F": false} {
		got, err := ParseReclaim(in)
		if err != nil || got != want {
			t.Errorf("ParseReclaim(%q) = %v, %v; want %v, nil", in, got, err, want)
		}
	}
	runInvalid(t, KeyIPPoolReclaim, ParseReclaim, []invalidCase{
		{"empty", "", []string{`"" is not a boolean`, `"true" or "false"`}},
		{"yes", "yes", []string{`"yes" is not a boolean`}},
	})
}

func TestParseDefaultRouteNIC(t *testing.T) {
	got, err := ParseDefaultRouteNIC("net1")
	if err != nil || got != "net1" {
		t.Errorf("ParseDefaultRouteNIC(net1) = %q, %v", got, err)
	}
	runInvalid(t, KeyDefaultRouteNIC, ParseDefaultRouteNIC, []invalidCase{
		{"empty", "", []string{"is empty", "Linux interface name"}},
		{"space", "net 1", []string{"white space"}},
		{"too long", "abcdefghijklmnop", []string{"longer than 15 bytes"}},
		{"dot", ".", []string{"not allowed"}},
	})
}
