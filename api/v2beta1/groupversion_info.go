// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package v2beta1

import (
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/controller-runtime/pkg/scheme"
)

// GroupName is the API group of every Spiderpool custom resource.
const GroupName = "spiderpool.spidernet.io"

var (
	// GroupVersion is the group and version of the types in this package.
	GroupVersion = schema.GroupVersion{Group: GroupName, Version: "v2beta1"}

	// SchemeBuilder registers the types of this package with a runtime.Scheme.
	SchemeBuilder = (&scheme.Builder{GroupVersion: GroupVersion}).Register(
		&SpiderIPPool{}, &SpiderIPPoolList{},
		&SpiderSubnet{}, &SpiderSubnetList{},
		&SpiderReservedIP{}, &SpiderReservedIPList{},
		&SpiderEndpoint{}, &SpiderEndpointList{},
		&SpiderMultusConfig{}, &SpiderMultusConfigList{},
		&SpiderCoordinator{}, &SpiderCoordinatorList{},
	)

	// AddToScheme adds the types of this package to a runtime.Scheme.
	AddToScheme = SchemeBuilder.AddToScheme
)

// Kind names of the resources in this group, as they appear in TypeMeta and
// in ownerReferences.
const (
	KindSpiderIPPool       = "SpiderIPPool"
	KindSpiderSubnet       = "SpiderSubnet"
	KindSpiderReservedIP   = "SpiderReservedIP"
	KindSpiderEndpoint     = "SpiderEndpoint"
	KindSpiderMultusConfig = "SpiderMultusConfig"
	KindSpiderCoordinator  = "SpiderCoordinator"
)
