// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

// Package utils holds helpers shared by the test suites under test/, such as
// locating the Kubernetes binaries that envtest runs.
package utils
