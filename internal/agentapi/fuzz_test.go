// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package agentapi_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/spiderpool-go/spiderpool/internal/agentapi"
)

// fuzzDecode checks a decoder's contract on arbitrary input: it never
// panics; a failure is an InvalidRequest *Error; a success validates and
// survives an encode/decode round trip unchanged.
func fuzzDecode[T interface{ Validate() error }](t *testing.T, data []byte, decode func(io.Reader) (T, error)) {
	got, err := decode(bytes.NewReader(data))
	if err != nil {
		var e *agentapi.Error
		if !errors.As(err, &e) || e.Code != agentapi.CodeInvalidRequest {
			t.Fatalf("error %v is not an InvalidRequest *agentapi.Error", err)
		}
		return
	}
	if err := got.Validate(); err != nil {
		t.Fatalf("decoded value does not validate: %v", err)
	}
	again, err := json.Marshal(got)
	if err != nil {
		t.Fatalf("re-encode: %v", err)
	}
	back, err := decode(bytes.NewReader(again))
	if err != nil {
		t.Fatalf("re-decode %s: %v", again, err)
	}
	if diff := cmp.Diff(got, back); diff != "" {
		t.Fatalf("round trip changed the value (-first +second):\n%s", diff)
	}
}

func addSeeds(f *testing.F, seeds ...string) {
	for _, s := range append(seeds, "", "{", "null", "[]", `{"a":1} {}`, `{"containerID":1}`) {
		f.Add([]byte(s))
	}
}

func FuzzDecodeAddRequest(f *testing.F) {
	addSeeds(f,
		`{"containerID":"c","ifName":"eth0","netNamespace":"/n","podNamespace":"d","podName":"p","podUID":"u","defaultIPv4IPPool":["a*"],"cleanGateway":true}`,
		`{"containerID":"c","ifName":"eth0/","netNamespace":"/n","podNamespace":"d","podName":"p","podUID":"u"}`,
		`{"containerID":"c","ifName":"eth0","netNamespace":"/n","podNamespace":"d","podName":"p","podUID":"u","defaultIPv6IPPool":[""]}`)
	f.Fuzz(func(t *testing.T, data []byte) { fuzzDecode(t, data, agentapi.DecodeAddRequest) })
}

func FuzzDecodeDelRequest(f *testing.F) {
	addSeeds(f, `{"containerID":"c","ifName":"net1","podNamespace":"d","podName":"p"}`,
		`{"containerID":"c","ifName":"..","podNamespace":"d","podName":"p","podUID":"u"}`)
	f.Fuzz(func(t *testing.T, data []byte) { fuzzDecode(t, data, agentapi.DecodeDelRequest) })
}

func FuzzDecodeBatchDelRequest(f *testing.F) {
	addSeeds(f, `{"containerID":"c","podNamespace":"d","podName":"p","isReleaseConflictIPs":true}`,
		`{"containerID":"c","podNamespace":"d","podName":"p","detection":{"ifName":"eth0","conflictIP":"10.6.0.5","conflictMAC":"02:00:00:00:00:01"}}`,
		`{"containerID":"c","podNamespace":"d","podName":"p","detection":{"ifName":"eth0","unreachableGateway":"fd00::1"}}`)
	f.Fuzz(func(t *testing.T, data []byte) { fuzzDecode(t, data, agentapi.DecodeBatchDelRequest) })
}

func FuzzDecodeCheckRequest(f *testing.F) {
	addSeeds(f, `{"containerID":"c","ifName":"eth0","podNamespace":"d","podName":"p","podUID":"u"}`)
	f.Fuzz(func(t *testing.T, data []byte) { fuzzDecode(t, data, agentapi.DecodeCheckRequest) })
}

func FuzzDecodeGCRequest(f *testing.F) {
	addSeeds(f, `{"network":"n","validAttachments":[]}`,
		`{"validAttachments":[{"containerID":"c","ifName":"eth0"},{"containerID":"d","ifName":""}]}`)
	f.Fuzz(func(t *testing.T, data []byte) { fuzzDecode(t, data, agentapi.DecodeGCRequest) })
}

func FuzzDecodeAddResponse(f *testing.F) {
	addSeeds(f,
		`{"ips":[{"version":4,"address":"10.6.0.10/16","nic":"eth0","gateway":"10.6.0.1"},{"version":6,"address":"fd00::a/64","nic":"net1","gateway":"fd00::1"}],"routes":[{"ifName":"eth0","dst":"0.0.0.0/0","gw":"10.6.0.1"}],"dns":{"nameservers":["10.0.0.10"]}}`,
		`{"ips":[{"version":4,"address":"::ffff:1.2.3.4/120","nic":"eth0"}]}`,
		`{"ips":[{"version":6,"address":"fe80::1%eth0/64","nic":"eth0"}]}`)
	f.Fuzz(func(t *testing.T, data []byte) { fuzzDecode(t, data, agentapi.DecodeAddResponse) })
}

func FuzzDecodeCoordinatorConfig(f *testing.F) {
	addSeeds(f, `{"mode":"auto","overlayPodCIDR":[],"serviceCIDR":["10.96.0.0/12"],"tunePodRoutes":true,"podRPFilter":0}`,
		`{"mode":"underlay","policyRoutes":[{"dst":"10.0.0.0/8","gw":"10.6.0.1"}],"vethMTU":1400}`)
	f.Fuzz(func(t *testing.T, data []byte) { fuzzDecode(t, data, agentapi.DecodeCoordinatorConfig) })
}
