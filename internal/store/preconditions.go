// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package store

import (
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// DeletePreconditions are the conditions of Store.DeleteEndpoint: the
// object's UID and, when set, its resourceVersion.
func DeletePreconditions(uid types.UID, resourceVersion string) client.Preconditions {
	var pre client.Preconditions
	if uid != "" {
		pre.UID = &uid
	}
	if resourceVersion != "" {
		pre.ResourceVersion = &resourceVersion
	}
	return pre
}
