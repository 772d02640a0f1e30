// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package controller

import (
	ctrl "sigs.k8s.io/controller-runtime"
)

// registerWebhooks registers the admission webhooks (api.md §2.9) on mgr's
// webhook server, on every replica.
//
// HOOK(webhook.Setup): internal/webhook is being written separately. Once it
// exists this function becomes
//
//	return webhook.Setup(mgr, webhook.Options{ /* from opts.ConfigMap and opts.Env */ })
//
// setup has already registered WebhookHealthPath on the same server
// (webhook.Setup checks for it and does not register it twice). Until then
// the webhook server serves only that path.
func registerWebhooks(mgr ctrl.Manager, opts Options) error {
	_, _ = mgr, opts
	return nil
}
