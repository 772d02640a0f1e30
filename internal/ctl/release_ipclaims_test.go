// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package ctl

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"sigs.k8s.io/controller-runtime/pkg/client"

	ipamclaimsv1alpha1 "github.com/spiderpool-go/spiderpool/api/ipamclaims/v1alpha1"
)

// TestIPReleaseDeletesTheClaim: with the claim storage, "ip release" of a
// dead pod's address deletes its SpiderIPClaim before the record (the
// projector would write the record back from it); a claim that names
// another pod UID than the record is left, and a dry run deletes nothing.
func TestIPReleaseDeletesTheClaim(t *testing.T) {
	e := newKenv(t)
	pool := e.pool("p", "10.14.0.0/24", []string{"10.14.0.10-10.14.0.29"}, map[string][2]string{
		"10.14.0.20": {"ghost", "uid-ghost"}, "10.14.0.21": {"gone", "uid-gone-old"},
	})
	ghost := e.ipClaim(pool, "10.14.0.20", "ghost", "uid-ghost")
	other := e.ipClaim(pool, "10.14.0.21", "gone", "uid-gone-new")
	exists := func(name string) bool {
		err := e.c.Get(e.ctx(), client.ObjectKey{Name: name}, &ipamclaimsv1alpha1.SpiderIPClaim{})
		if err != nil && !apierrors.IsNotFound(err) {
			t.Fatal(err)
		}
		return err == nil
	}
	ops := func(rep ReleaseReport) []string {
		out := []string{}
		for _, a := range rep.Actions {
			out = append(out, a.Op+" "+a.Result)
		}
		return out
	}
	var rep ReleaseReport
	e.runJSON(ExitOK, &rep, "ip", "release", "10.14.0.20", "--dry-run")
	if diff := cmp.Diff([]string{"delete-ipclaim planned", "remove-record planned"}, ops(rep)); diff != "" || !exists(ghost) {
		t.Errorf("dry run (-want +got):\n%s(claim kept: %t)", diff, exists(ghost))
	}
	e.runJSON(ExitOK, &rep, "ip", "release", "10.14.0.20")
	if diff := cmp.Diff([]string{"delete-ipclaim done", "remove-record done"}, ops(rep)); diff != "" || exists(ghost) {
		t.Errorf("release (-want +got):\n%s(claim left: %t)", diff, exists(ghost))
	}
	e.runJSON(ExitOK, &rep, "ip", "release", "10.14.0.21")
	want := []string{"delete-ipclaim skipped: the claim names another pod UID", "remove-record done"}
	if diff := cmp.Diff(want, ops(rep)); diff != "" || !exists(other) {
		t.Errorf("release of a record whose claim names another UID (-want +got):\n%s(claim kept: %t)", diff, exists(other))
	}
}
