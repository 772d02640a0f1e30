// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package ctl

import (
	"context"
	"fmt"
	"net/netip"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	"sigs.k8s.io/controller-runtime/pkg/client"

	ipamclaimsv1alpha1 "github.com/spiderpool-go/spiderpool/api/ipamclaims/v1alpha1"
	"github.com/spiderpool-go/spiderpool/internal/claims"
)

// OpDeleteIPClaim is the Action that deletes the SpiderIPClaim of the
// address (the claim storage): without it the controller's projector would
// write the removed record back.
const OpDeleteIPClaim = "delete-ipclaim"

// deleteIPClaim deletes the SpiderIPClaim of ip in pool while it names
// uid, on the condition of the resourceVersion read. It reports false
// when there is no such claim (or no such kind: a cluster without the
// claim storage), so that no action is listed.
func (w *Writer) deleteIPClaim(ctx context.Context, pool, ip, uid string, dryRun bool) (string, bool, error) {
	a, err := netip.ParseAddr(ip)
	if err != nil {
		return "", false, fmt.Errorf("address %q: %w", ip, err)
	}
	name, err := claims.Name(pool, a)
	if err != nil {
		return "", false, err
	}
	cur := &ipamclaimsv1alpha1.SpiderIPClaim{}
	err = w.Client.Get(ctx, client.ObjectKey{Name: name}, cur)
	switch {
	case apierrors.IsNotFound(err) || meta.IsNoMatchError(err):
		return "", false, nil
	case err != nil:
		return "", false, fmt.Errorf("read SpiderIPClaim %s: %w", name, err)
	case cur.Spec.PodUID != uid:
		return "skipped: the claim names another pod UID", true, nil
	case dryRun:
		return resultPlanned, true, nil
	}
	err = w.Client.Delete(ctx, cur, client.Preconditions{UID: &cur.UID, ResourceVersion: &cur.ResourceVersion})
	switch {
	case apierrors.IsNotFound(err):
		return "skipped: the claim is gone", true, nil
	case apierrors.IsConflict(err):
		return "skipped: the claim changed meanwhile", true, nil
	case err != nil:
		return "", true, fmt.Errorf("delete SpiderIPClaim %s: %w", name, err)
	}
	return resultDone, true, nil
}
