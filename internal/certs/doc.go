// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

// Package certs gives spiderpool-controller its own webhook serving
// certificate and keeps the API server trusting it.
//
// # Why the controller owns its certificate
//
// Spiderpool's chart (tls.method auto) generates a CA and a serving
// certificate with Helm's genCA at every install and upgrade, writes both
// into the Secret spiderpool-controller-server-certs and the caBundle of the
// webhook configurations. A chart upgrade therefore replaces the CA while
// running pods still serve the old certificate, and webhook calls fail until
// every replica restarts (Spiderpool #4357). Here the chart creates no
// certificate and sets no caBundle; the controller does both, so the CA
// stays the same across restarts and upgrades.
//
// # How
//
//   - The Secret (Config.SecretName in the controller's namespace) holds a
//     self-signed CA (ca.crt, ca.key) and a serving certificate signed by it
//     (tls.crt, tls.key). Every replica reads it; the first to find it
//     missing creates it, and a replica that loses the create or update race
//     (AlreadyExists, Conflict) re-reads and uses what the winner wrote, so
//     all replicas serve certificates of one CA.
//   - A valid Secret is reused. A certificate is renewed when less than a
//     third of its lifetime is left: the serving certificate alone while the
//     CA is fresh (the caBundle does not change), or the CA and then the
//     serving certificate. ca.crt then lists the new CA first and keeps the
//     previous CA until it expires, so certificates still served by replicas
//     that have not reloaded stay trusted.
//   - Each replica writes tls.crt and tls.key into the webhook server's
//     certificate directory; controller-runtime's certwatcher reloads them.
//     The directory must be writable (an emptyDir), not the read-only Secret
//     volume Spiderpool's chart mounts.
//   - The caBundle of every webhook of the named Mutating and Validating
//     webhook configurations is set to ca.crt, before the new files are
//     written, so the API server trusts a new CA before any replica serves a
//     certificate signed by it.
//
// [Reconciler] does all of this on every replica (not only the leader): a
// replica must have the files before its webhook server can serve, and the
// caBundle it writes is read from the shared Secret, so concurrent writers
// write the same value and are idempotent.
package certs
