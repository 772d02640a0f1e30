// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

// Package quarantine keeps the addresses found in use by a host outside
// Kubernetes: when the IPAM plugin's probe is answered for a pod's
// address (docs/reference/behaviour.md §7), the agent records the address
// in an annotation of its SpiderIPPool, and no agent hands it to any pod
// until it stops answering the agent's periodic probe or an operator
// clears it with `spiderpoolctl ip unquarantine`.
//
// The annotation lives on the pool so that the record survives agent
// restarts and every node sees it; Spiderpool ignores annotations it does
// not know (docs/compatibility.md). Changing it bumps the pool's
// resourceVersion, so an agent that picked an address from an older copy
// of the pool fails its status write and picks again.
package quarantine
