// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

// Package migrate holds the envtests of adopting a live Spiderpool cluster
// (docs/migration.md): the state real Spiderpool v1.0.6 agents left
// (test/fixtures) is written to a real kube-apiserver, our agents'
// ipam.Service (with the kube store), the controller's GC and
// "spiderpoolctl migrate check" run on it, and the tests check that every
// pod keeps its addresses, that no adopted address is handed out again, and
// that nothing is rewritten that did not need to be.
package migrate
