// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

// Package chaos proves "never twice, never leaked" under faults on the lab
// (test/lab in process mode): a churn driver scales Deployments and a
// StatefulSet and deletes pods, a fault injector on a seeded random schedule
// kills and restarts agents, the leading controller, kube-apiserver and
// etcd, stops node simulators, force-deletes pods without CNI DEL, hides an
// agent's socket and makes a proxy in front of the API server answer 500 or
// 429, while a watcher samples pods, SpiderEndpoints and pool records for
// addresses held twice. After the run every fault is undone, the workloads
// and the GC settle, and the final check requires every running pod's
// addresses recorded for its UID, no record or SpiderEndpoint without a live
// holder and spiderpoolctl check to pass. Results go to
// _output/chaos/<timestamp>/ as JSON and a markdown table (docs/chaos.md).
package chaos
