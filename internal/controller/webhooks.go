// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package controller

import (
	ctrl "sigs.k8s.io/controller-runtime"

	"github.com/spiderpool-go/spiderpool/internal/webhook"
)

// The Pod webhook reads pods' Namespaces (through the cache) for the
// namespace-level inject annotations.
//
// +kubebuilder:rbac:groups="",resources=namespaces,verbs=get;list;watch

// registerWebhooks registers the admission webhooks
// (docs/reference/interface.md §2.9) on mgr's webhook server, on every
// replica. setup has already registered WebhookHealthPath on the same
// server; webhook.Setup does not register it twice.
func registerWebhooks(mgr ctrl.Manager, opts Options) error {
	return webhook.Setup(mgr, webhook.OptionsFrom(opts.ConfigMap, opts.Env))
}
