// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

// Package validation holds the one set of rules for Spiderpool's custom
// resources (docs/reference/behaviour.md §6,
// docs/reference/interface.md §2): the defaults the mutating webhooks fill
// in and the checks the validating webhooks make. The webhooks in
// internal/webhook and the controllers call the same functions, so an object
// a controller writes obeys the rules a user's object obeys.
//
// The functions are pure: they take the object under review and the other
// objects it is checked against (already listed by the caller) and return a
// field.ErrorList whose entries name the field ("spec.ips[2]"), the
// conflicting object and the fix. Address arithmetic goes through
// internal/allocator, whose sets cost O(ranges), never O(addresses), so a /8
// or a /48 validates as fast as a /24.
//
// Defaulting is best effort by design: a value that does not parse is left
// as it is, and the validating rule reports it with its field path. Nothing
// is swallowed; the error is only reported at the step that can name the
// field.
package validation
