// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package ipam

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"strings"

	"github.com/go-logr/logr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
	"github.com/spiderpool-go/spiderpool/internal/allocator"
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
// Each is parsed on its own: an entry that does not parse (written without
// the webhook, or accepted by Spiderpool's laxer parser) is skipped and
// logged, so that it cannot stop the allocations of every pool of its
// family.
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
			r.v4 = append(r.v4, s.validReserved(ctx, item)...)
		case spiderpoolv2beta1.IPv6:
			r.v6 = append(r.v6, s.validReserved(ctx, item)...)
		}
	}
	slices.Sort(r.v4)
	slices.Sort(r.v6)
	r.key = strings.Join(r.v4, ",") + "|" + strings.Join(r.v6, ",")
	return r, nil
}

// validReserved returns the entries of item that parse as ranges of its
// family. The others are logged once per resourceVersion of item.
func (s *Service) validReserved(ctx context.Context, item *spiderpoolv2beta1.SpiderReservedIP) []string {
	v := allocator.IPVersion(*item.Spec.IPVersion)
	var good []string
	var errs []error
	for _, entry := range item.Spec.IPs {
		entry = unmapReserved(v, entry)
		if _, err := allocator.ParseRange(v, entry); err != nil {
			errs = append(errs, err)
			continue
		}
		good = append(good, entry)
	}
	if len(errs) > 0 {
		if _, seen := s.badReserved.LoadOrStore(item.Name+"@"+item.ResourceVersion, true); !seen {
			logr.FromContextOrDiscard(ctx).Error(errors.Join(errs...), "SpiderReservedIP entries skipped: they do not parse",
				"spiderReservedIP", item.Name, "skipped", len(errs), "kept", len(good))
		}
	}
	return good
}

// unmapReserved writes the IPv4-mapped bounds (::ffff:a.b.c.d) of an entry
// of an IPv4 list as IPv4 addresses: Spiderpool, which compares 16-byte
// addresses, reserves the IPv4 address for them
// (docs/reference/behaviour.md §2.1), and reserving what it reserved never
// hands out an address it would not.
func unmapReserved(v allocator.IPVersion, entry string) string {
	if v != allocator.IPv4 || !strings.Contains(entry, ":") {
		return entry
	}
	bounds := strings.Split(entry, "-")
	for i, b := range bounds {
		if a, err := netip.ParseAddr(b); err == nil && a.Is4In6() {
			bounds[i] = a.Unmap().String()
		}
	}
	return strings.Join(bounds, "-")
}
