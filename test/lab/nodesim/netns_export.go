// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package nodesim

// CreateNetNS creates a network namespace pinned at path, with lo up, as
// the simulator creates a pod's sandbox namespace (a leftover at path is
// removed first). For harnesses that run CNI plugins themselves.
func CreateNetNS(path string) error { return createNetNS(path) }

// RemoveNetNS unmounts and removes a namespace made by CreateNetNS; a
// missing one is not an error.
func RemoveNetNS(path string) error { return removeNetNS(path) }
