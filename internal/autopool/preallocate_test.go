// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package autopool_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/spiderpool-go/spiderpool/internal/allocator"
	"github.com/spiderpool-go/spiderpool/internal/autopool"
)

func set(t *testing.T, ips ...string) *allocator.Set {
	t.Helper()
	s, err := allocator.ParseSet(allocator.IPv4, ips)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestPreAllocate(t *testing.T) {
	usable := set(t, "10.0.0.1-10.0.0.20")
	cases := []struct {
		name                     string
		others, cur, alloc, resv []string
		size                     int
		want                     string
		err                      error
	}{
		{name: "new takes the lowest free", others: []string{"10.0.0.1-10.0.0.3"}, resv: []string{"10.0.0.5"}, size: 3, want: "10.0.0.4,10.0.0.6-10.0.0.7"},
		{name: "same size is kept", cur: []string{"10.0.0.9-10.0.0.10"}, size: 2, want: "10.0.0.9-10.0.0.10"},
		{name: "grow adds the lowest", cur: []string{"10.0.0.9"}, others: []string{"10.0.0.1"}, size: 3, want: "10.0.0.2-10.0.0.3,10.0.0.9"},
		{name: "shrink drops the lowest free", cur: []string{"10.0.0.1-10.0.0.5"}, alloc: []string{"10.0.0.1", "10.0.0.4"}, size: 3,
			want: "10.0.0.1,10.0.0.4-10.0.0.5"},
		{name: "shrink needs free IPs", cur: []string{"10.0.0.1-10.0.0.3"}, alloc: []string{"10.0.0.1-10.0.0.2"}, size: 1, err: autopool.ErrFreeIPsNotEnough},
		{name: "subnet too small", others: []string{"10.0.0.1-10.0.0.18"}, size: 3, err: autopool.ErrSubnetIPsNotEnough},
		{name: "repair after an interrupted shrink", cur: []string{"10.0.0.1-10.0.0.2"}, alloc: []string{"10.0.0.3"}, size: 2,
			want: "10.0.0.2-10.0.0.3"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := autopool.PreAllocate(autopool.Inputs{Subnet: "s1", Usable: usable, Others: set(t, c.others...),
				Current: set(t, c.cur...), Allocated: set(t, c.alloc...), Reserved: set(t, c.resv...), Size: c.size})
			if c.err != nil {
				if !errors.Is(err, c.err) {
					t.Fatalf("err = %v, want %v", err, c.err)
				}
				return
			}
			if err != nil || strings.Join(got.Strings(), ",") != c.want {
				t.Fatalf("PreAllocate = %v, %v; want %s", got, err, c.want)
			}
		})
	}
}

func TestSubnetErrorNamesCounts(t *testing.T) {
	_, err := autopool.PreAllocate(autopool.Inputs{Subnet: "s1", Usable: set(t, "10.0.0.1-10.0.0.2"), Size: 5})
	if err == nil || !strings.Contains(err.Error(), `"s1" has 2 unassigned IPs, 5 wanted`) {
		t.Errorf("err = %v", err)
	}
}

func TestLowest(t *testing.T) {
	s := set(t, "10.0.0.1-10.0.0.2", "10.0.0.5-10.0.0.9")
	if got := strings.Join(autopool.Lowest(s, 4).Strings(), ","); got != "10.0.0.1-10.0.0.2,10.0.0.5-10.0.0.6" {
		t.Errorf("Lowest 4 = %s", got)
	}
	if got := autopool.Lowest(s, 100).CountInt64(); got != 7 {
		t.Errorf("Lowest 100 = %d", got)
	}
	if !autopool.Lowest(s, 0).IsEmpty() {
		t.Error("Lowest 0 not empty")
	}
}
