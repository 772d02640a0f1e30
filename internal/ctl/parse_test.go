// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package ctl

import (
	"errors"
	"net/netip"
	"strings"
	"testing"
)

func TestParseIP(t *testing.T) {
	tests := []struct {
		in, want string
		bad      bool
	}{
		{in: "10.6.0.10", want: "10.6.0.10"},
		{in: "10.6.0.10/16", want: "10.6.0.10"},
		{in: "fd00:250::0010", want: "fd00:250::10"},
		{in: "fd00:250::10/64", want: "fd00:250::10"},
		{in: "::ffff:10.6.0.10", want: "10.6.0.10"},
		{in: "", bad: true},
		{in: "10.6.0", bad: true},
		{in: "10.6.0.10/33", bad: true},
		{in: "fe80::1%eth0", bad: true},
		{in: "pod-a", bad: true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseIP(tt.in)
			if tt.bad {
				if !errors.Is(err, ErrBadArgument) {
					t.Fatalf("ParseIP(%q) = %v, %v; want ErrBadArgument", tt.in, got, err)
				}
				return
			}
			if err != nil || got.String() != tt.want {
				t.Fatalf("ParseIP(%q) = %v, %v; want %s", tt.in, got, err, tt.want)
			}
		})
	}
}

func TestParsePodRef(t *testing.T) {
	tests := []struct {
		arg, ns string
		want    PodRef
		bad     bool
	}{
		{arg: "default/web-0", want: PodRef{"default", "web-0"}},
		{arg: "web-0", ns: "default", want: PodRef{"default", "web-0"}},
		{arg: "default/web-0", ns: "default", want: PodRef{"default", "web-0"}},
		{arg: "default/web-0", ns: "other", bad: true},
		{arg: "web-0", bad: true},
		{arg: "a/b/c", bad: true},
		{arg: "Default/web", bad: true},
		{arg: "default/", bad: true},
		{arg: "/web", bad: true},
	}
	for _, tt := range tests {
		t.Run(tt.arg+"_"+tt.ns, func(t *testing.T) {
			got, err := ParsePodRef(tt.arg, tt.ns)
			if tt.bad {
				if !errors.Is(err, ErrBadArgument) {
					t.Fatalf("ParsePodRef(%q, %q) = %v, %v; want ErrBadArgument", tt.arg, tt.ns, got, err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("ParsePodRef(%q, %q) = %v, %v; want %v", tt.arg, tt.ns, got, err, tt.want)
			}
		})
	}
}

func TestParseOutput(t *testing.T) {
	for in, want := range map[string]Format{"": FormatTable, "table": FormatTable, "json": FormatJSON, "yaml": FormatYAML} {
		if got, err := ParseOutput(in); err != nil || got != want {
			t.Errorf("ParseOutput(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	if _, err := ParseOutput("wide"); !errors.Is(err, ErrBadArgument) {
		t.Errorf("ParseOutput(wide) = %v; want ErrBadArgument", err)
	}
}

// FuzzParseIP checks that an accepted argument is a valid, unmapped,
// zone-less address whose canonical form parses back to itself.
func FuzzParseIP(f *testing.F) {
	for _, s := range []string{"10.6.0.10", "10.6.0.10/16", "fd00::1/64", "::ffff:1.2.3.4", "fe80::1%eth0", "", "1.2.3.4/", "/8"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		a, err := ParseIP(s)
		if err != nil {
			if !errors.Is(err, ErrBadArgument) {
				t.Fatalf("ParseIP(%q) error %v does not wrap ErrBadArgument", s, err)
			}
			return
		}
		if !a.IsValid() || a.Zone() != "" || a.Is4In6() {
			t.Fatalf("ParseIP(%q) = %v: invalid, zoned or mapped", s, a)
		}
		again, err := ParseIP(a.String())
		if err != nil || again != a {
			t.Fatalf("ParseIP(%q) = %v, re-parsed as %v, %v", s, a, again, err)
		}
		if want, _ := netip.ParseAddr(strings.SplitN(s, "/", 2)[0]); want.Unmap() != a {
			t.Fatalf("ParseIP(%q) = %v, want %v", s, a, want)
		}
	})
}

// FuzzParsePodRef checks that an accepted argument names a pod whose
// String parses back to the same reference, with or without -n.
func FuzzParsePodRef(f *testing.F) {
	for _, s := range [][2]string{{"default/web-0", ""}, {"web-0", "kube-system"}, {"a/b", "c"}, {"a/b/c", ""}, {"", ""}, {"x", ""}} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, arg, ns string) {
		ref, err := ParsePodRef(arg, ns)
		if err != nil {
			if !errors.Is(err, ErrBadArgument) {
				t.Fatalf("ParsePodRef(%q, %q) error %v does not wrap ErrBadArgument", arg, ns, err)
			}
			return
		}
		if ref.Namespace == "" || ref.Name == "" || strings.Contains(ref.Namespace, "/") || strings.Contains(ref.Name, "/") {
			t.Fatalf("ParsePodRef(%q, %q) = %+v", arg, ns, ref)
		}
		for _, again := range []func() (PodRef, error){
			func() (PodRef, error) { return ParsePodRef(ref.String(), "") },
			func() (PodRef, error) { return ParsePodRef(ref.Name, ref.Namespace) },
		} {
			if got, err := again(); err != nil || got != ref {
				t.Fatalf("ParsePodRef(%q, %q) = %+v, round trip gives %+v, %v", arg, ns, ref, got, err)
			}
		}
	})
}
