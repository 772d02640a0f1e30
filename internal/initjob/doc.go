// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

// Package initjob is spiderpool-init, the Helm post-install Job
// (docs/reference/behaviour.md §9.5, docs/reference/interface.md §4.4).
//
// It reads its environment with [config.ParseInitEnv], builds the default
// objects the chart asks for and checks each one with the rules of the
// admission webhooks (internal/validation), so that bad input fails at once
// with an error naming the environment variable it came from. Then it waits
// until the Endpoints of the spiderpool-controller Service have a ready
// address (the webhooks answer), creates the objects idempotently and writes
// the readiness file.
//
// The objects, in order: the default SpiderCoordinator, the default IPv4 and
// IPv6 SpiderSubnets, the default IPv4 and IPv6 SpiderIPPools (default:
// true) and the SpiderMultusConfig of the cluster's default CNI. An object
// that already exists counts as created, whatever its content: the Job may
// run again, and the user may have changed the objects since.
package initjob
