// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

// Package gc is the IP garbage collector of spiderpool-controller
// (docs/reference/behaviour.md §4): it releases the addresses and
// SpiderEndpoints of pods that are gone, re-created, terminating past their
// grace period, or finished, which CNI DEL did not release (node down, agent
// down, pod force-deleted, controller restarted). Setup registers it with a
// controller-runtime manager; docs/gc.md explains the design.
//
// # The unit: a pod incarnation
//
// Pool records (status.allocatedIPs: ip -> {pod: ns/name, podUid}) and
// SpiderEndpoints (ns/name, status.current.uid) are grouped by incarnation,
// the pair (ns/name, pod UID). Liveness is always a question about a UID,
// never about a name: a StatefulSet pod re-created under the same name is
// another incarnation, and Kubernetes never reuses a UID, so once the pod
// of a UID is gone it cannot come back.
//
// # Paths
//
//   - A and B, a reconciler keyed by the pod's namespace/name (which is
//     its endpoint's): it watches SpiderEndpoints, Pods (deleted,
//     terminating, finished), Node readiness, the records pools add, and
//     StatefulSets that may want fewer ordinals (scaled down, being
//     deleted, deleted: mapped to their endpoints through a cache index),
//     and reconciles every incarnation of the name: the one its endpoint
//     records and every UID its pool records name (found through a cache
//     index of the pools by record holder), so that a record no endpoint
//     lists is freed when its pod goes, not at the next scan.
//   - C, a leader-only Runnable: at start and every
//     SPIDERPOOL_GC_DEFAULT_INTERVAL_DURATION, every record of every pool
//     and every endpoint is judged, including records that no endpoint
//     names.
//
// Both judge with one decision table (Options.decide), first on the
// manager's cache, then, for an incarnation that looks dead, again on
// fresh reads from the API server (manager.GetAPIReader) immediately
// before any write; only the fresh verdict counts.
//
// # Why no live address is freed: the races
//
// Writes. A release reads the pool from the API server, removes only the
// records whose pod key and pod UID are exactly the incarnation's, and
// writes the status on the condition of the resourceVersion it read
// (internal/store/kube); a conflict re-reads and re-applies. The endpoint
// loses its finalizer by a merge patch carrying its resourceVersion and is
// deleted with UID and resourceVersion preconditions; a conflict re-reads
// it and stops as soon as it records another UID. So whatever an agent
// wrote in between (a new allocation of the same address, a StatefulSet
// adoption rewriting podUid) survives: the GC's write either fails or no
// longer matches.
//
// Allocation in flight. An agent writes the pool record first and the
// endpoint last. A record whose endpoint does not (yet) record its UID is
// released only if the fresh read shows its pod gone or of another UID;
// while a pod of that UID exists, whatever its state, the record is kept.
// The pod is read after the pool (whereabouts#207 read them the other way
// round): a pod created after the pool was listed is seen. If an agent
// wrote a record for a pod that was deleted meanwhile, freeing it is
// right: the pod of that UID is gone.
//
// Lagging cache. The cache is only a filter: a pod missing from a lagging
// cache is found by the fresh read, and the incarnation kept.
//
// StatefulSet re-creation (Spiderpool #3751, #3817, #2442). The agent
// adopts a StatefulSet endpoint by rewriting the pool records' podUid to
// the new pod and then the endpoint's uid. The old incarnation is kept as
// long as the StatefulSet wants its ordinal (enableStatefulSet), whether
// or not the new pod exists yet; once adopted, the records carry the new
// UID and no longer match the old incarnation. A record whose UID is
// neither the pod's nor the endpoint's is the leftover of an incarnation
// that nobody adopts, and is freed, unless the endpoint (of another UID)
// lists its address and that claim stands: the endpoint's pod exists, or
// its StatefulSet ordinal or VM is still wanted. Freeing it then would let
// a second pod take an address the endpoint hands out. The claim of a dead
// endpoint nobody wants is void (Spiderpool kept such addresses forever).
//
// Outdated endpoints. Once an incarnation is released, its endpoint loses
// its finalizer whether or not records were left to free. A StatefulSet or
// KubeVirt endpoint that freed nothing and whose addresses the pools give
// to other holders is deleted only with enableCleanOutdatedEndpoint; one
// whose addresses are recorded for nobody is always deleted. That is
// decided from the objects, so a release cut short between the pool
// writes and the endpoint drop (a controller killed, a lost lease) is
// finished by whichever replica leads next.
//
// Grace periods. Spiderpool's rule is kept: deletionTimestamp +
// deletionGracePeriodSeconds + SPIDERPOOL_GC_ADDITIONAL_GRACE_DELAY, which
// is twice the grace period after the delete call. Past it, the two
// switches decide, each for its own node state (Ready, or NotReady, gone,
// or unknown); Spiderpool #4864 (a switch that did not stop the full scan)
// cannot happen because there is one decision table. Finished pods wait
// their last container's finishedAt + terminationGracePeriodSeconds +
// delay. A terminating or finished pod's records are freed only through
// its endpoint; records of a pod of the same UID without an endpoint wait
// until the pod is gone. The endpoint is deleted with the records although
// the pod object is left (a finished Job pod, a pod stuck Terminating on a
// dead node): its owner reference would keep it until the pod goes, listing
// addresses that other pods are then given.
//
// What the GC cannot know. A pod force-deleted while its node is
// unreachable may still use its address; that is what the NotReady switch
// is for, and it is all any IPAM can do.
//
// # Claim storage
//
// With Options.ClaimStorage (SPIDERPOOL_CLAIM_STORAGE) the addresses are
// held by SpiderIPClaims and the claim projector alone writes the pools'
// records. A release then deletes the incarnation's claims, each read from
// the API server and deleted only if its pod UID, namespace and name are
// the incarnation's, on the condition of the UID and resourceVersion read
// (a claim created again, or adopted by a re-created pod of the same name,
// in between is kept), and writes no pool status: a record removed by the
// GC would be put back from its claim, or make the projector adopt again
// the records of claims released meanwhile. Claims are judged beside the
// records (an index by holder, a watch of claims created or adopted, the
// scan); a record without a claim is left for the projector to adopt.
//
// # KubeVirt
//
// Endpoints of KubeVirt VMs (named after the VMI, enableKubevirtStaticIP)
// are kept while the VMI or VM is wanted, as are records named after an
// existing VMI (docs/kubevirt.md).
package gc
