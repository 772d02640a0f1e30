// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package v1

import (
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/controller-runtime/pkg/scheme"
)

// GroupName is the API group of NetworkAttachmentDefinition.
const GroupName = "k8s.cni.cncf.io"

var (
	// GroupVersion is the group and version of the types in this package.
	GroupVersion = schema.GroupVersion{Group: GroupName, Version: "v1"}

	// SchemeBuilder registers the types of this package with a runtime.Scheme.
	SchemeBuilder = (&scheme.Builder{GroupVersion: GroupVersion}).Register(
		&NetworkAttachmentDefinition{}, &NetworkAttachmentDefinitionList{},
	)

	// AddToScheme adds the types of this package to a runtime.Scheme.
	AddToScheme = SchemeBuilder.AddToScheme
)
