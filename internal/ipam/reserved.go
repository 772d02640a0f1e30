// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package ipam

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"sigs.k8s.io/controller-runtime/pkg/client"

	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
)

// reservedIPs is the union of all SpiderReservedIP ranges per IP family:
// they are never handed out by any pool of that family
// (docs/reference/behaviour.md §2.1).
type reservedIPs struct {
	v4, v6 []string
	// key identifies the content, to notice when a pool's usable set must
	// be recomputed.
	key string
}

// of returns the ranges of version v.
func (r reservedIPs) of(v int64) []string {
	if v == spiderpoolv2beta1.IPv4 {
		return r.v4
	}
	return r.v6
}

// reservedIPs lists the non-terminating SpiderReservedIPs through reader.
func (s *Service) reservedIPs(ctx context.Context, reader client.Reader) (reservedIPs, error) {
	var list spiderpoolv2beta1.SpiderReservedIPList
	if err := reader.List(ctx, &list, client.UnsafeDisableDeepCopy); err != nil {
		return reservedIPs{}, fmt.Errorf("list SpiderReservedIPs: %w", err)
	}
	var r reservedIPs
	for i := range list.Items {
		item := &list.Items[i]
		if item.DeletionTimestamp != nil || item.Spec.IPVersion == nil {
			continue
		}
		switch *item.Spec.IPVersion {
		case spiderpoolv2beta1.IPv4:
			r.v4 = append(r.v4, item.Spec.IPs...)
		case spiderpoolv2beta1.IPv6:
			r.v6 = append(r.v6, item.Spec.IPs...)
		}
	}
	slices.Sort(r.v4)
	slices.Sort(r.v6)
	r.key = strings.Join(r.v4, ",") + "|" + strings.Join(r.v6, ",")
	return r, nil
}
