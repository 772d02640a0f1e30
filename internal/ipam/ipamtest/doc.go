// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

// Package ipamtest provides test doubles for internal/ipam: a Store that
// writes through any controller-runtime client (usually the fake client)
// while counting calls and injecting failures, and a fake-client builder
// with the scheme and status subresources the service needs.
package ipamtest
