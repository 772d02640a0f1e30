// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package ipam

import (
	"context"
	"fmt"
	"path"
	"slices"
	"strings"

	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
)

// poolSet is the cached SpiderIPPools by name. The objects are the cache's
// own (no deep copy): never modify them.
type poolSet struct {
	byName map[string]*spiderpoolv2beta1.SpiderIPPool
	sorted []*spiderpoolv2beta1.SpiderIPPool // by name
}

// listPools lists the pools' specs (PoolReader.Specs).
func (s *Service) listPools(ctx context.Context) (*poolSet, error) {
	list, err := s.pools.Specs(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("list SpiderIPPools: %w", err)
	}
	ps := &poolSet{byName: make(map[string]*spiderpoolv2beta1.SpiderIPPool, len(list))}
	for _, p := range list {
		ps.byName[p.Name] = p
		ps.sorted = append(ps.sorted, p)
	}
	slices.SortFunc(ps.sorted, func(a, b *spiderpoolv2beta1.SpiderIPPool) int { return strings.Compare(a.Name, b.Name) })
	return ps, nil
}

func poolVersion(p *spiderpoolv2beta1.SpiderIPPool) int64 {
	if p.Spec.IPVersion == nil {
		return 0
	}
	return *p.Spec.IPVersion
}

// defaults returns the names of the cluster default pools, by name.
func (ps *poolSet) defaults() (v4, v6 []string) {
	for _, p := range ps.sorted {
		if p.Spec.Default == nil || !*p.Spec.Default {
			continue
		}
		switch poolVersion(p) {
		case spiderpoolv2beta1.IPv4:
			v4 = append(v4, p.Name)
		case spiderpoolv2beta1.IPv6:
			v6 = append(v6, p.Name)
		}
	}
	return v4, v6
}

// expand replaces each wildcard (path.Match syntax) by the names of the
// pools of version v it matches, in name order, and keeps other names as
// given. A name listed twice is kept at its first place.
func (ps *poolSet) expand(v int64, names []string) []string {
	out := make([]string, 0, len(names))
	seen := make(map[string]bool, len(names))
	add := func(name string) {
		if !seen[name] {
			seen[name] = true
			out = append(out, name)
		}
	}
	for _, name := range names {
		if !strings.ContainsAny(name, `*?[\`) {
			add(name)
			continue
		}
		for _, p := range ps.sorted {
			if ok, _ := path.Match(name, p.Name); ok && poolVersion(p) == v { // patterns are validated by the parsers
				add(p.Name)
			}
		}
	}
	return out
}
