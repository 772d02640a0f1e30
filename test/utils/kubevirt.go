// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package utils

import (
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
)

// KubevirtCRDs are schema-less stand-ins for the KubeVirt CRDs the
// project reads (VirtualMachine, VirtualMachineInstance,
// VirtualMachineInstanceMigration, group kubevirt.io, version v1): the
// agent and the GC read only their metadata, so no KubeVirt types are
// needed.
func KubevirtCRDs() []*apiextensionsv1.CustomResourceDefinition {
	return []*apiextensionsv1.CustomResourceDefinition{
		kubevirtCRD("VirtualMachine", "virtualmachines"),
		kubevirtCRD("VirtualMachineInstance", "virtualmachineinstances"),
		kubevirtCRD("VirtualMachineInstanceMigration", "virtualmachineinstancemigrations"),
	}
}

func kubevirtCRD(kind, plural string) *apiextensionsv1.CustomResourceDefinition {
	return &apiextensionsv1.CustomResourceDefinition{
		ObjectMeta: metav1.ObjectMeta{Name: plural + ".kubevirt.io"},
		Spec: apiextensionsv1.CustomResourceDefinitionSpec{
			Group: "kubevirt.io",
			Names: apiextensionsv1.CustomResourceDefinitionNames{Kind: kind, ListKind: kind + "List", Plural: plural},
			Scope: apiextensionsv1.NamespaceScoped,
			Versions: []apiextensionsv1.CustomResourceDefinitionVersion{{
				Name: "v1", Served: true, Storage: true,
				Schema: &apiextensionsv1.CustomResourceValidation{OpenAPIV3Schema: &apiextensionsv1.JSONSchemaProps{
					Type: "object", XPreserveUnknownFields: ptr.To(true),
				}},
			}},
		},
	}
}
