// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package initjob

import (
	"context"
	"fmt"
	"time"

	"github.com/go-logr/logr"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// createAll creates objs in order, within CreateTimeout.
func (j *Job) createAll(ctx context.Context, objs []desired) error {
	ctx, cancel := context.WithTimeout(ctx, j.createTimeout())
	defer cancel()
	for _, d := range objs {
		if err := j.create(ctx, d); err != nil {
			return err
		}
	}
	return nil
}

// create creates d.obj. An object of that name that already exists counts
// as created. Errors that another try may cure (a webhook not reachable
// yet, a timeout, throttling) are retried every Interval until ctx ends; a
// refusal of the object itself is returned at once.
func (j *Job) create(ctx context.Context, d desired) error {
	log := logr.FromContextOrDiscard(ctx).WithValues("kind", d.kind, "name", d.obj.GetName())
	if ns := d.obj.GetNamespace(); ns != "" {
		log = log.WithValues("namespace", ns)
	}
	for attempt := 1; ; attempt++ {
		obj, ok := d.obj.DeepCopyObject().(client.Object)
		if !ok {
			return fmt.Errorf("copy of %s %q is not a client.Object", d.kind, d.obj.GetName())
		}
		err := j.Client.Create(ctx, obj)
		switch {
		case err == nil:
			log.Info("created")
			return nil
		case apierrors.IsAlreadyExists(err):
			log.Info("already exists, kept as it is")
			return nil
		case refused(err):
			return fmt.Errorf("create %s %q: %w", d.kind, d.obj.GetName(), err)
		}
		log.Info("create failed, retrying", "attempt", attempt, "error", err.Error())
		select {
		case <-ctx.Done():
			return fmt.Errorf("create %s %q: gave up after %d attempts: %w", d.kind, d.obj.GetName(), attempt, err)
		case <-time.After(j.interval()):
		}
	}
}

// refused reports whether err refuses the object itself, so that trying
// again cannot help: invalid, forbidden (a webhook's denial or RBAC) or a
// malformed request.
func refused(err error) bool {
	return apierrors.IsInvalid(err) || apierrors.IsForbidden(err) || apierrors.IsBadRequest(err) ||
		apierrors.IsMethodNotSupported(err) || apierrors.IsRequestEntityTooLargeError(err) ||
		apierrors.IsUnsupportedMediaType(err)
}
