// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package initjob

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/go-logr/logr"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/types"
)

// errNoReadyAddress says the controller Endpoints exist but list no ready
// address yet.
var errNoReadyAddress = errors.New("no ready address")

// waitForController polls, every Interval, the Endpoints of the
// spiderpool-controller Service until one address is ready: from then on
// the admission webhooks answer, so the objects created next get their
// defaults and checks. Read errors are waited out too; only the context
// ends the wait.
func (j *Job) waitForController(ctx context.Context) error {
	key := types.NamespacedName{Namespace: j.Env.Namespace, Name: j.Env.ControllerName}
	log := logr.FromContextOrDiscard(ctx).WithValues("endpoints", key)
	for attempt := 1; ; attempt++ {
		err := j.controllerReady(ctx, key)
		if err == nil {
			log.Info("spiderpool-controller is ready")
			return nil
		}
		log.Info("waiting for spiderpool-controller", "attempt", attempt, "reason", err.Error())
		select {
		case <-ctx.Done():
			return fmt.Errorf("wait for the Endpoints %s: %w (last: %w)", key, ctx.Err(), err)
		case <-time.After(j.interval()):
		}
	}
}

// controllerReady returns nil when the Endpoints key have a ready address.
// The Endpoints API is deprecated in favour of EndpointSlice, but it is
// what Spiderpool reads and what its ClusterRole grants.
func (j *Job) controllerReady(ctx context.Context, key types.NamespacedName) error {
	var ep corev1.Endpoints //nolint:staticcheck // see above
	if err := j.Client.Get(ctx, key, &ep); err != nil {
		if apierrors.IsNotFound(err) {
			return fmt.Errorf("no Endpoints yet: %w", err)
		}
		return fmt.Errorf("read Endpoints: %w", err)
	}
	for _, s := range ep.Subsets {
		if len(s.Addresses) > 0 {
			return nil
		}
	}
	return errNoReadyAddress
}
