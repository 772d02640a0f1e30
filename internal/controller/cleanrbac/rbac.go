// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package cleanrbac

// The cleanup deletes the release's two webhook configurations (read
// first: only those carrying the release's Helm ownership annotations go),
// every Spider* object (stripping finalizers, hence update and patch), the
// seven CRDs the chart ships (read first, deleted by name only), and the
// init Job in the release namespace (the namespace below is replaced by
// the chart's). Every delete is by name, so nothing of another product
// can go: the webhook configuration and Job names below are the default
// install's, which the chart replaces with the names from its values.
//
// +kubebuilder:rbac:groups=admissionregistration.k8s.io,resources=mutatingwebhookconfigurations;validatingwebhookconfigurations,verbs=get;delete,resourceNames=spiderpool-controller
// +kubebuilder:rbac:groups=spiderpool.spidernet.io,resources=spiderippools;spidersubnets;spiderendpoints;spiderreservedips;spidermultusconfigs;spidercoordinators,verbs=get;list;update;patch;delete;deletecollection
// +kubebuilder:rbac:groups=apiextensions.k8s.io,resources=customresourcedefinitions,verbs=get;delete,resourceNames=spiderippools.spiderpool.spidernet.io;spidersubnets.spiderpool.spidernet.io;spiderendpoints.spiderpool.spidernet.io;spiderreservedips.spiderpool.spidernet.io;spidermultusconfigs.spiderpool.spidernet.io;spidercoordinators.spiderpool.spidernet.io;spideripclaims.ipam.spiderpool-go.io
// +kubebuilder:rbac:groups=batch,namespace=spiderpool,resources=jobs,verbs=get;delete,resourceNames=spiderpool-init
