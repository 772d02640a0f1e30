// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package certs

import (
	"bytes"
	"context"
	"fmt"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/util/retry"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// injectCABundle sets the caBundle of every webhook of the named
// configurations (empty names are skipped) to ca. A configuration that does
// not exist is left alone: the chart may not install it (tests, the lab).
func injectCABundle(ctx context.Context, reader client.Reader, writer client.Writer, c Config, ca []byte) error {
	if c.MutatingWebhookConfiguration != "" {
		if err := injectInto(ctx, reader, writer, &admissionregistrationv1.MutatingWebhookConfiguration{}, c.MutatingWebhookConfiguration, ca); err != nil {
			return err
		}
	}
	if c.ValidatingWebhookConfiguration != "" {
		return injectInto(ctx, reader, writer, &admissionregistrationv1.ValidatingWebhookConfiguration{}, c.ValidatingWebhookConfiguration, ca)
	}
	return nil
}

// injectInto updates one configuration, read fresh, with its
// resourceVersion as the precondition, retrying on conflict.
func injectInto(ctx context.Context, reader client.Reader, writer client.Writer, obj client.Object, name string, ca []byte) error {
	err := retry.RetryOnConflict(retry.DefaultRetry, func() error {
		if err := reader.Get(ctx, types.NamespacedName{Name: name}, obj); err != nil {
			return client.IgnoreNotFound(err)
		}
		if !setCABundle(obj, ca) {
			return nil
		}
		return writer.Update(ctx, obj)
	})
	if err != nil && !apierrors.IsNotFound(err) {
		return fmt.Errorf("caBundle of %T %s: %w", obj, name, err)
	}
	return nil
}

// setCABundle sets the caBundle of every webhook of obj and reports whether
// any changed.
func setCABundle(obj client.Object, ca []byte) bool {
	changed := false
	set := func(cc *admissionregistrationv1.WebhookClientConfig) {
		if !bytes.Equal(cc.CABundle, ca) {
			cc.CABundle, changed = bytes.Clone(ca), true
		}
	}
	switch o := obj.(type) {
	case *admissionregistrationv1.MutatingWebhookConfiguration:
		for i := range o.Webhooks {
			set(&o.Webhooks[i].ClientConfig)
		}
	case *admissionregistrationv1.ValidatingWebhookConfiguration:
		for i := range o.Webhooks {
			set(&o.Webhooks[i].ClientConfig)
		}
	}
	return changed
}
