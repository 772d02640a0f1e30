// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

// Package chart tests the Helm chart charts/spiderpool without a cluster:
// helm lint (also --strict) and helm template for the default values and
// every documented combination, with the rendered objects parsed and the
// important facts asserted (environment, conf.yml, webhooks, volumes,
// probes); the values schema; the drift of the chart's copies of the CRDs
// and RBAC roles from config/; static least-privilege checks of the RBAC;
// the webhooks against internal/webhook.Configurations; and the metric
// names the dashboard and the alerts query.
//
// helm is $HELM or bin/helm-v3.16.4 (make tools); the tests skip when it is
// missing. Installing the chart is the lab's job (test/e2e).
package chart
