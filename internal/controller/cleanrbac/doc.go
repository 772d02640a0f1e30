// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

// Package cleanrbac holds only the RBAC markers of the chart's pre-delete
// Job, "spiderpool-controller clean". That code lives in package
// controller, whose markers make the controller's role; keeping the
// cleanup's markers here gives the Job a role of its own (`make manifests`
// writes config/rbac/cleanup/role.yaml).
package cleanrbac
