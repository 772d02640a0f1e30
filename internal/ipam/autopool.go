// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package ipam

import (
	"context"
	"errors"
	"fmt"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"

	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
	"github.com/spiderpool-go/spiderpool/internal/allocator"
	"github.com/spiderpool-go/spiderpool/internal/annotation"
	"github.com/spiderpool-go/spiderpool/internal/autopool"
)

// AutoPoolEnsurer creates or resizes an application's auto-created pool
// from its SpiderSubnet (an *autopool.Reconciler). The agent uses it for
// pods of third-party controllers, whose pools no controller makes ahead.
type AutoPoolEnsurer interface {
	Ensure(ctx context.Context, req autopool.Request) (*spiderpoolv2beta1.SpiderIPPool, error)
}

var _ AutoPoolEnsurer = (*autopool.Reconciler)(nil)

// ErrSubnetThirdPartySize is returned for a pod of a third-party
// controller whose ippool-ip-number is absent or flexible: nothing tells
// the agent how many pods such a controller wants.
var ErrSubnetThirdPartySize = errors.New("a third-party controller's auto-created pool needs a fixed size")

// autoPoolApp returns the application of the pod's top controller: for
// the built-in kinds read from the API server, with its replicas; for
// others (third-party) from the owner reference, builtin false.
func (a *allocation) autoPoolApp(ctx context.Context) (app autopool.App, builtin bool, err error) {
	top := a.pc.top
	gv, err := schema.ParseGroupVersion(top.APIVersion)
	if err != nil {
		return autopool.App{}, false, fmt.Errorf("owner %s %s: %w", top.Kind, top.Name, err)
	}
	gvk := gv.WithKind(top.Kind)
	if !autopool.IsBuiltin(gvk) {
		return autopool.ThirdPartyApp(gvk, top.Namespace, top.Name, types.UID(top.UID)), false, nil
	}
	obj := builtinObject(top.Kind)
	if err := a.svc.api.Get(ctx, client.ObjectKey{Namespace: top.Namespace, Name: top.Name}, obj); err != nil {
		return autopool.App{}, true, fmt.Errorf("read the pod's %s %s/%s for its auto-created pool size: %w",
			top.Kind, top.Namespace, top.Name, err)
	}
	app, _ = autopool.AppOf(obj)
	return app, true, nil
}

// builtinObject returns an empty object of a built-in controller kind.
func builtinObject(kind string) client.Object {
	switch kind {
	case "Deployment":
		return &appsv1.Deployment{}
	case kindReplicaSet:
		return &appsv1.ReplicaSet{}
	case "StatefulSet":
		return &appsv1.StatefulSet{}
	case "DaemonSet":
		return &appsv1.DaemonSet{}
	case kindJob:
		return &batchv1.Job{}
	}
	return &batchv1.CronJob{}
}

// readyAutoPools returns the name of the auto-created pool of each want,
// once the cache holds exactly one for it at the desired size. A
// third-party controller's pools are made first.
func (a *allocation) readyAutoPools(ctx context.Context, req *subnetRequest, wants []autoPoolWant) (*poolSet, []string, error) {
	app, builtin, err := a.autoPoolApp(ctx)
	if err != nil {
		return nil, nil, err
	}
	number := annotation.IPNumber{Flexible: true, N: a.svc.cfg.DefaultRedundantIPNumber}
	if req.sized {
		number = req.size
	}
	if !builtin && number.Flexible {
		return nil, nil, fmt.Errorf("%w: %s is owned by %s; set annotation %s to a fixed number such as \"2\" "+
			"(now %q) on the pod template", ErrSubnetThirdPartySize, a.podKey, app, annotation.KeyIPPoolIPNumber,
			a.pc.pod.Annotations[annotation.KeyIPPoolIPNumber])
	}
	reqs := make([]autopool.Request, len(wants))
	for i, w := range wants {
		reqs[i] = autopool.Request{Subnet: w.subnet, App: app, Interface: w.nic,
			Version: allocator.IPVersion(w.version), Number: number, Reclaim: req.reclaim}
	}
	names := make([]string, len(wants))
	if !builtin {
		if err := a.ensureThirdParty(ctx, reqs, names); err != nil {
			return nil, nil, err
		}
	}
	pools, err := a.svc.waitAutoPools(ctx, func() (bool, string, error) {
		return a.svc.findAutoPools(ctx, reqs, names)
	})
	return pools, names, err
}

// ensureThirdParty makes or resizes a third-party controller's pools,
// unless the cache already holds them at their size.
func (a *allocation) ensureThirdParty(ctx context.Context, reqs []autopool.Request, names []string) error {
	if done, _, err := a.svc.findAutoPools(ctx, reqs, names); done || err != nil {
		return err
	}
	if a.svc.autoPools == nil {
		return fmt.Errorf("%w: this agent cannot make the auto-created pool of %s", ErrNoPool, reqs[0].App)
	}
	for _, r := range reqs {
		if _, err := a.svc.autoPools.Ensure(ctx, r); err != nil {
			return err
		}
	}
	return nil
}

// findAutoPools looks up the pool of each request in the cache and fills
// names; it reports done when every pool is there at its size, and
// otherwise what it saw.
func (s *Service) findAutoPools(ctx context.Context, reqs []autopool.Request, names []string) (bool, string, error) {
	var missing []string
	for i, r := range reqs {
		sel := labels.SelectorFromSet(autopool.MatchLabels(r.Subnet, r.App, r.Interface, r.Version))
		list, err := s.pools.Specs(ctx, sel)
		if err != nil {
			return false, "", fmt.Errorf("list SpiderIPPools: %w", err)
		}
		found := autopool.FindAppPools(values(list), r.Subnet, r.App, r.Interface, r.Version)
		switch {
		case len(found) > 1:
			return false, "", fmt.Errorf("%w: %d auto-created pools (%s) match %s for interface %s in SpiderSubnet %q; "+
				"delete the stale ones", ErrNoPool, len(found), poolNames(found), r.App, r.Interface, r.Subnet)
		case len(found) == 0:
			missing = append(missing, fmt.Sprintf("no IPv%d pool of %s for interface %s from SpiderSubnet %q yet",
				r.Version, r.App, r.Interface, r.Subnet))
			continue
		}
		size, err := allocator.TotalIPCount(r.Version, found[0].Spec.IPs, found[0].Spec.ExcludeIPs)
		if err != nil {
			return false, "", fmt.Errorf("auto-created pool %s: %w", found[0].Name, err)
		}
		if size != int64(r.Size()) {
			missing = append(missing, fmt.Sprintf("pool %s holds %d IPs, %s wants %d (%s %s)",
				found[0].Name, size, r.App, r.Size(), annotation.KeyIPPoolIPNumber, r.Number))
			continue
		}
		names[i] = found[0].Name
	}
	return len(missing) == 0, strings.Join(missing, "; "), nil
}

func poolNames(pools []*spiderpoolv2beta1.SpiderIPPool) string {
	names := make([]string, len(pools))
	for i, p := range pools {
		names[i] = p.Name
	}
	return strings.Join(names, ", ")
}

// values copies the pool objects (shallowly: their strings and slices are
// shared, so never modify them).
func values(pools []*spiderpoolv2beta1.SpiderIPPool) []spiderpoolv2beta1.SpiderIPPool {
	out := make([]spiderpoolv2beta1.SpiderIPPool, len(pools))
	for i, p := range pools {
		out[i] = *p
	}
	return out
}
