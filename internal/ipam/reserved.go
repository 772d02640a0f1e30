// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package ipam

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"strings"

	"github.com/go-logr/logr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
	"github.com/spiderpool-go/spiderpool/internal/allocator"
	"github.com/spiderpool-go/spiderpool/internal/ipam/poolq"
)

// reservedIPs is the union of all SpiderReservedIP ranges per IP family
// (docs/reference/behaviour.md §2.1), as the pool queues apply it.
type reservedIPs = poolq.Reserved

// reservedIPs lists the non-terminating SpiderReservedIPs through reader.
// Each is parsed on its own: an entry that does not parse (written without
// the webhook) is skipped and logged, so that it cannot stop the
// allocations of every pool of its family.
func (s *Service) reservedIPs(ctx context.Context, reader client.Reader) (reservedIPs, error) {
	var list spiderpoolv2beta1.SpiderReservedIPList
	if err := reader.List(ctx, &list, client.UnsafeDisableDeepCopy); err != nil {
		return reservedIPs{}, fmt.Errorf("list SpiderReservedIPs: %w", err)
	}
	var v4, v6 []string
	for i := range list.Items {
		item := &list.Items[i]
		if item.DeletionTimestamp != nil || item.Spec.IPVersion == nil {
			continue
		}
		switch *item.Spec.IPVersion {
		case spiderpoolv2beta1.IPv4:
			v4 = append(v4, s.validReserved(ctx, item)...)
		case spiderpoolv2beta1.IPv6:
			v6 = append(v6, s.validReserved(ctx, item)...)
		}
	}
	return poolq.NewReserved(v4, v6), nil
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
