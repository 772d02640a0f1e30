// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

// Package webhook serves Spiderpool's mutating and validating admission
// webhooks for SpiderIPPool, SpiderSubnet, SpiderReservedIP,
// SpiderCoordinator and SpiderMultusConfig at Spiderpool's paths
// (docs/reference/interface.md §2.9), and builds the webhook configurations
// that route the API server to them.
//
// The handlers only read the objects a review needs and hand everything
// to internal/validation, the rules the controllers apply too. No pod is
// ever intercepted: pod creation does not depend on spiderpool-controller.
package webhook
