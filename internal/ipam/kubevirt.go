// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package ipam

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/go-logr/logr"

	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
	"github.com/spiderpool-go/spiderpool/internal/workload"
)

// KubeVirt VMs (EnableKubevirtStaticIP) keep their addresses as Spiderpool
// keeps them: the records and the endpoint are named after the VMI, so a
// re-created virt-launcher pod, or the target pod of a live migration,
// adopts them (settle). During a migration the endpoint also names the
// source pod (annotation AnnoEndpointMigrationSource) until the source's
// DEL; if the target goes first (the migration failed), the addresses
// are handed back to the source.

// migrationSource is the value of AnnoEndpointMigrationSource.
type migrationSource struct {
	PodUID string `json:"podUid"`
	Node   string `json:"node,omitempty"`
}

// sourceOf returns the migration source an endpoint names, if any.
func sourceOf(ep *spiderpoolv2beta1.SpiderEndpoint) (migrationSource, bool) {
	var src migrationSource
	v, ok := ep.Annotations[spiderpoolv2beta1.AnnoEndpointMigrationSource]
	if !ok || json.Unmarshal([]byte(v), &src) != nil || src.PodUID == "" {
		return migrationSource{}, false
	}
	return src, true
}

// noteMigrationSource records, on the endpoint ep about to be written,
// the pod a live-migration target takes the addresses over from; any
// other take-over clears a note left from an earlier migration.
func (a *allocation) noteMigrationSource(ep *spiderpoolv2beta1.SpiderEndpoint, plan *settlement) {
	if a.static != workload.StaticKubevirt || !plan.adopt || plan.oldUID == a.uid {
		return
	}
	if !a.migrating || a.ep == nil {
		delete(ep.Annotations, spiderpoolv2beta1.AnnoEndpointMigrationSource)
		return
	}
	v, err := json.Marshal(migrationSource{PodUID: plan.oldUID, Node: a.ep.Status.Current.Node})
	if err != nil {
		return // cannot happen: two strings
	}
	if ep.Annotations == nil {
		ep.Annotations = map[string]string{}
	}
	ep.Annotations[spiderpoolv2beta1.AnnoEndpointMigrationSource] = string(v)
}

// endSourceNote removes the migration note of ep when it names uid, whose
// DEL has come: the migration is over.
func (s *Service) endSourceNote(ctx context.Context, ep *spiderpoolv2beta1.SpiderEndpoint, uid string) error {
	if src, ok := sourceOf(ep); !ok || src.PodUID != uid {
		return nil
	}
	ep = ep.DeepCopy()
	delete(ep.Annotations, spiderpoolv2beta1.AnnoEndpointMigrationSource)
	return s.saveEndpoint(ctx, ep, true)
}

// handBack gives a VM's addresses back to the migration source ep names,
// when the target pod, which holds them now, goes first: the migration
// failed and the source goes on. It reports whether it did.
func (s *Service) handBack(ctx context.Context, ep *spiderpoolv2beta1.SpiderEndpoint) (bool, error) {
	src, ok := sourceOf(ep)
	if !ok || src.PodUID == ep.Status.Current.UID {
		return false, nil
	}
	podKey := ep.Namespace + "/" + ep.Name
	if err := s.adoptAddrs(ctx, podKey, src.PodUID, addrsByPool(ep.Status.Current.IPs)); err != nil {
		return false, fmt.Errorf("hand the addresses of VM %s back to migration source %s: %w", podKey, src.PodUID, err)
	}
	ep = ep.DeepCopy()
	ep.Status.Current.UID, ep.Status.Current.Node = src.PodUID, src.Node
	delete(ep.Annotations, spiderpoolv2beta1.AnnoEndpointMigrationSource)
	if err := s.saveEndpoint(ctx, ep, true); err != nil {
		return false, err
	}
	logr.FromContextOrDiscard(ctx).Info("migration target gone first; addresses handed back to the source pod",
		"vm", podKey, "sourcePodUID", src.PodUID)
	return true, nil
}

// recordNameOf returns the name under which the pool records of
// incarnation uid in namespace ns are kept, when the pod ns/podName is
// gone: a virt-launcher pod's records are named after its VMI. It is
// podName when no other name is found.
func (s *Service) recordNameOf(ctx context.Context, ns, podName, uid string) (string, error) {
	if !s.cfg.EnableKubevirtStaticIP || uid == "" {
		return podName, nil
	}
	name := podName
	err := s.cachedRecordsOf(ctx, uid, func(_, _ string, rec spiderpoolv2beta1.PoolIPAllocation) bool {
		if n, ok := strings.CutPrefix(rec.NamespacedName, ns+"/"); ok {
			name = n
			return false
		}
		return true
	})
	return name, err
}
