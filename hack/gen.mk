# SPDX-License-Identifier: Apache-2.0
# Copyright Authors of spiderpool-go
#
# gen.mk: code generation for the API types (deepcopy), their CRDs and the
# RBAC roles of each component (from the +kubebuilder:rbac markers).
# Included by the top-level Makefile. The webhook configurations are built in
# Go (internal/webhook) and by the chart, not here.

##@ Code generation

LOCALBIN ?= $(CURDIR)/bin
CONTROLLER_TOOLS_VERSION ?= v0.19.0
CONTROLLER_GEN ?= $(LOCALBIN)/controller-gen-$(CONTROLLER_TOOLS_VERSION)

.PHONY: generate
generate: controller-gen ## Generate the DeepCopy methods of the API types (api/**/zz_generated.deepcopy.go).
	$(CONTROLLER_GEN) object:headerFile=hack/boilerplate.go.txt paths=./api/...

.PHONY: manifests
manifests: controller-gen ## Generate the CRDs (config/crd/bases: ours and Spiderpool's; config/crd/nad) and the RBAC roles (config/rbac).
	$(CONTROLLER_GEN) crd paths=./api/v2beta1/... paths=./api/ipamclaims/... output:crd:artifacts:config=config/crd/bases
	$(CONTROLLER_GEN) crd paths=./api/k8scni/... output:crd:artifacts:config=config/crd/nad
	CONTROLLER_GEN=$(CONTROLLER_GEN) hack/gen-rbac.sh config/rbac

.PHONY: rbac
rbac: controller-gen ## Generate config/rbac/<component>/role.yaml from the +kubebuilder:rbac markers (hack/gen-rbac.sh).
	CONTROLLER_GEN=$(CONTROLLER_GEN) hack/gen-rbac.sh config/rbac

.PHONY: verify-generated
verify-generated: controller-gen ## Fail if the committed deepcopy code or CRDs differ from what the API types generate.
	CONTROLLER_GEN=$(CONTROLLER_GEN) hack/verify-generated.sh

.PHONY: controller-gen
controller-gen: $(CONTROLLER_GEN) ## Install the pinned controller-gen into ./bin (LOCALBIN) if it is missing.

# go install puts the binary at $(LOCALBIN)/controller-gen; it is renamed to a
# versioned name so that changing CONTROLLER_TOOLS_VERSION installs anew.
$(CONTROLLER_GEN):
	@mkdir -p $(LOCALBIN)
	@rm -f $(LOCALBIN)/controller-gen
	GOBIN=$(LOCALBIN) go install sigs.k8s.io/controller-tools/cmd/controller-gen@$(CONTROLLER_TOOLS_VERSION)
	mv $(LOCALBIN)/controller-gen $@
