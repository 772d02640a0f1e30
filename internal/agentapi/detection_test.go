// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package agentapi_test

import (
	"errors"
	"testing"

	"github.com/spiderpool-go/spiderpool/internal/agentapi"
)

// TestDetectionValidate: one finding, addresses and MAC that parse; a
// batch release without a finding stays valid (older plugins).
func TestDetectionValidate(t *testing.T) {
	base := agentapi.BatchDelRequest{ContainerID: "c", PodNamespace: "ns", PodName: "p"}
	for _, tc := range []struct {
		name      string
		det       *agentapi.Detection
		wantField string
	}{
		{name: "none"},
		{name: "conflict", det: &agentapi.Detection{IfName: "eth0", ConflictIP: "fd00::5", ConflictMAC: "02:00:00:00:00:01"}},
		{name: "gateway", det: &agentapi.Detection{IfName: "net1", UnreachableGateway: "10.6.0.1"}},
		{name: "both", det: &agentapi.Detection{IfName: "eth0", ConflictIP: "10.6.0.5", UnreachableGateway: "10.6.0.1"}, wantField: "detection"},
		{name: "neither", det: &agentapi.Detection{IfName: "eth0"}, wantField: "detection"},
		{name: "no interface", det: &agentapi.Detection{ConflictIP: "10.6.0.5"}, wantField: "detection.ifName"},
		{name: "bad IP", det: &agentapi.Detection{IfName: "eth0", ConflictIP: "10.6.0"}, wantField: "detection.conflictIP"},
		{name: "bad gateway", det: &agentapi.Detection{IfName: "eth0", UnreachableGateway: "gw"}, wantField: "detection.unreachableGateway"},
		{name: "bad MAC", det: &agentapi.Detection{IfName: "eth0", ConflictIP: "10.6.0.5", ConflictMAC: "zz"}, wantField: "detection.conflictMAC"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := base
			r.Detection = tc.det
			err := r.Validate()
			var e *agentapi.Error
			switch {
			case tc.wantField == "" && err != nil:
				t.Fatalf("Validate: %v", err)
			case tc.wantField != "" && (!errors.As(err, &e) || e.Field != tc.wantField):
				t.Fatalf("Validate: %v, want an error on %s", err, tc.wantField)
			}
		})
	}
}
