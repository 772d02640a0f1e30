// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package rdmametrics_test

import (
	"encoding/binary"
	"testing"

	"github.com/spiderpool-go/spiderpool/internal/rdmametrics"
)

// attr encodes one netlink attribute, padded.
func attr(typ uint16, value []byte) []byte {
	b := binary.NativeEndian.AppendUint16(nil, uint16(4+len(value)))
	b = binary.NativeEndian.AppendUint16(b, typ)
	b = append(b, value...)
	for len(b)%4 != 0 {
		b = append(b, 0)
	}
	return b
}

// portAnswer is a recorded RDMA_NLDEV_CMD_PORT_GET answer for mlx5_0 port
// 1: device index and name, port index, port state, netdev index and name.
func portAnswer(ndev string) []byte {
	var b []byte
	b = append(b, attr(1, binary.NativeEndian.AppendUint32(nil, 0))...)
	b = append(b, attr(2, []byte("mlx5_0\x00"))...)
	b = append(b, attr(3, binary.NativeEndian.AppendUint32(nil, 1))...)
	b = append(b, attr(12, []byte{4})...)
	b = append(b, attr(50, binary.NativeEndian.AppendUint32(nil, 7))...)
	if ndev != "" {
		b = append(b, attr(51, []byte(ndev+"\x00"))...)
	}
	return b
}

func TestParseNetDevName(t *testing.T) {
	for _, c := range []struct {
		in      []byte
		want    string
		wantErr bool
	}{
		{in: portAnswer("ens1f0np0"), want: "ens1f0np0"},
		{in: portAnswer(""), want: ""},
		{in: nil, want: ""},
		{in: portAnswer("ens1f0np0")[:10], wantErr: true},
		{in: []byte{2, 0, 51, 0}, wantErr: true},
	} {
		got, err := rdmametrics.ParseNetDevName(c.in)
		if got != c.want || (err != nil) != c.wantErr {
			t.Errorf("ParseNetDevName(% x) = %q, %v; want %q, error %v", c.in, got, err, c.want, c.wantErr)
		}
	}
}

func TestParseTrafficClass(t *testing.T) {
	for in, want := range map[string]int{"Global tclass=106\n": 106, "": -1, "Global tclass=0": 0, "Global tclass=300": -2, "Global tclass=x": -2} {
		v, ok, err := rdmametrics.ParseTrafficClass(in)
		switch {
		case want == -2 && err == nil:
			t.Errorf("ParseTrafficClass(%q) accepted", in)
		case want == -1 && (ok || err != nil):
			t.Errorf("ParseTrafficClass(%q) = %d, %v, %v; want no class", in, v, ok, err)
		case want >= 0 && (!ok || err != nil || v != uint64(want)):
			t.Errorf("ParseTrafficClass(%q) = %d, %v, %v; want %d", in, v, ok, err, want)
		}
	}
}

func FuzzParseNetDevName(f *testing.F) {
	f.Add(portAnswer("ens1f0np0"))
	f.Add(portAnswer(""))
	f.Add([]byte{8, 0, 51, 0, 'a', 0, 0})
	f.Fuzz(func(t *testing.T, in []byte) {
		name, err := rdmametrics.ParseNetDevName(in)
		if err != nil && name != "" {
			t.Fatalf("name %q with error %v", name, err)
		}
		if len(name) > len(in) {
			t.Fatalf("name %q longer than the input", name)
		}
	})
}

func FuzzParseTrafficClass(f *testing.F) {
	f.Add("Global tclass=106\n")
	f.Add("tclass=")
	f.Fuzz(func(t *testing.T, in string) {
		v, ok, err := rdmametrics.ParseTrafficClass(in)
		if (err != nil || !ok) && v != 0 || v > 255 {
			t.Fatalf("ParseTrafficClass(%q) = %d, %v, %v", in, v, ok, err)
		}
	})
}
