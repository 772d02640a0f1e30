// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package contention

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/util/wait"
	"sigs.k8s.io/controller-runtime/pkg/client"

	ipamclaimsv1alpha1 "github.com/spiderpool-go/spiderpool/api/ipamclaims/v1alpha1"
	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
	"github.com/spiderpool-go/spiderpool/internal/claims"
	"github.com/spiderpool-go/spiderpool/internal/config"
	"github.com/spiderpool-go/spiderpool/test/lab"
)

// claimsOn switches the claim storage on (docs/ipam.md).
const claimsOn = config.EnvClaimStorage + "=true"

// setClaimStorage restarts the lab's controllers and agents with the claim
// storage on or off, unless they already run so. The agents and the
// controller switch together: the projector and the GC must run on claims
// when the agents allocate on them.
func setClaimStorage(ctx context.Context, l *lab.Lab, on bool) error {
	if slices.Contains(l.ControllerEnv, claimsOn) == on {
		return nil
	}
	off := []string{claimsOn}
	l.ControllerEnv, l.AgentEnv = withoutEntries(l.ControllerEnv, off), withoutEntries(l.AgentEnv, off)
	if on {
		l.ControllerEnv, l.AgentEnv = append(l.ControllerEnv, claimsOn), append(l.AgentEnv, claimsOn)
	}
	if err := restartControllers(ctx, l); err != nil {
		return err
	}
	return l.RestartAgents(ctx)
}

// deleteClaims deletes every claim, and waits up to 5 minutes until none
// is left: the next scenario's pools hold the same addresses. A delete of
// 20,000 claims outlasts the API server's request timeout (the deletion
// goes on), so it is repeated until a list finds none. A lab without the
// CRD has none.
func deleteClaims(ctx context.Context, c client.Client) error {
	var last error
	err := wait.PollUntilContextTimeout(ctx, time.Second, 5*time.Minute, true, func(ctx context.Context) (bool, error) {
		last = c.DeleteAllOf(ctx, &ipamclaimsv1alpha1.SpiderIPClaim{})
		if meta.IsNoMatchError(last) {
			return true, nil
		}
		var left ipamclaimsv1alpha1.SpiderIPClaimList
		if err := c.List(ctx, &left, client.Limit(1)); err != nil {
			last = err
			return false, nil
		}
		return len(left.Items) == 0, nil
	})
	if err != nil {
		return fmt.Errorf("delete SpiderIPClaims: %w", errors.Join(last, err))
	}
	return nil
}

// waitProjected waits, up to timeout, until every pool of the scenario
// holds the projector's own projection of its claims (the digest it
// annotated and one record per claim), so that the records counted after
// a phase are the claims', and returns how long that took (to 200 ms).
func (r *scenarioRun) waitProjected(ctx context.Context, timeout time.Duration) (time.Duration, error) {
	var pending string
	start := time.Now()
	err := wait.PollUntilContextTimeout(ctx, 200*time.Millisecond, timeout, true, func(ctx context.Context) (bool, error) {
		for _, want := range r.layout.Pools {
			p := &spiderpoolv2beta1.SpiderIPPool{}
			if err := r.env.Client.Get(ctx, client.ObjectKeyFromObject(want), p); err != nil {
				pending = err.Error()
				return false, nil
			}
			var list ipamclaimsv1alpha1.SpiderIPClaimList
			if err := r.env.Client.List(ctx, &list, client.MatchingLabels{ipamclaimsv1alpha1.LabelPool: claims.PoolLabelValue(p.Name)}); err != nil {
				pending = err.Error()
				return false, nil
			}
			recs, err := spiderpoolv2beta1.ParseAllocatedIPs(p.Status.AllocatedIPs)
			if err != nil || len(recs) != len(list.Items) || claims.ForeignStatus(p) {
				pending = fmt.Sprintf("pool %s: %d records, %d claims", p.Name, len(recs), len(list.Items))
				return false, nil
			}
		}
		return true, nil
	})
	if err != nil {
		return time.Since(start), fmt.Errorf("projection not caught up after %s (%s): %w", timeout, pending, err)
	}
	return time.Since(start), nil
}
