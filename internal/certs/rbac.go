// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package certs

// RBAC of the certificate Reconciler (controller-gen reads markers from
// free-standing comments only). Its Secret is in the controller's
// namespace (replaced by the chart's): the controller never reads Secrets
// cluster-wide. The caBundle is written into the two webhook
// configurations, by name: DefaultWebhookConfigurationName here, which the
// chart replaces with the names from its values. List and watch of a named
// object need a metadata.name field selector, which the Reconciler's cache
// uses.
//
// +kubebuilder:rbac:groups="",namespace=spiderpool,resources=secrets,verbs=get;list;watch;create;update
// +kubebuilder:rbac:groups=admissionregistration.k8s.io,resources=mutatingwebhookconfigurations;validatingwebhookconfigurations,verbs=get;list;watch;update,resourceNames=spiderpool-controller
