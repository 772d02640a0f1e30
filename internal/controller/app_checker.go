// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package controller

import (
	"context"
	"strings"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/spiderpool-go/spiderpool/internal/autopool"
)

// AppChecker tells whether the application of an auto-created pool exists:
// from the cache for the six built-in controller kinds, from the API
// server (metadata only) for third-party kinds.
type AppChecker struct {
	// Client reads built-in kinds from the cache.
	Client client.Client
	// APIReader reads third-party kinds from the API server.
	APIReader client.Reader
}

// uid returns the UID of the app of gvk, namespace and name: "" when it
// does not exist (or its kind is not served any more). An error that says
// nothing about existence (RBAC, network) is returned as such.
func (c *AppChecker) uid(ctx context.Context, gvk schema.GroupVersionKind, ns, name string) (types.UID, error) {
	var obj client.Object
	reader := c.APIReader
	if autopool.IsBuiltin(gvk) {
		o, err := c.Client.Scheme().New(gvk)
		if co, ok := o.(client.Object); err == nil && ok {
			obj, reader = co, c.Client
		}
	}
	if obj == nil {
		m := &metav1.PartialObjectMetadata{}
		m.SetGroupVersionKind(gvk)
		obj = m
	}
	err := reader.Get(ctx, client.ObjectKey{Namespace: ns, Name: name}, obj)
	switch {
	case apierrors.IsNotFound(err) || meta.IsNoMatchError(err):
		return "", nil
	case err != nil:
		return "", err
	}
	return obj.GetUID(), nil
}

// recordLive reports whether the subnet record of auto-created pool name,
// for application, must be kept although the pool is not seen: the
// application exists and is the incarnation the pool name was made for.
// When existence cannot be told, the record is kept.
func (c *AppChecker) recordLive(ctx context.Context, pool, application string) bool {
	app, err := autopool.ParseApplication(application)
	if err != nil {
		return false
	}
	uid, err := c.uid(ctx, app.GroupVersionKind(), app.Namespace, app.Name)
	if err != nil {
		return true
	}
	return uid != "" && strings.HasSuffix(pool, "-"+autopool.ShortUID(uid))
}

// gone reports whether the application app (with its UID) no longer
// exists: it is not found, or found with another UID. When existence
// cannot be told, it is not gone.
func (c *AppChecker) gone(ctx context.Context, app autopool.App) bool {
	uid, err := c.uid(ctx, app.GroupVersionKind(), app.Namespace, app.Name)
	return err == nil && uid != app.UID
}
