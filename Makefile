# SPDX-License-Identifier: Apache-2.0
# Copyright Authors of spiderpool-go

SHELL := /usr/bin/env bash -o pipefail
.SHELLFLAGS := -ec
LOCALBIN ?= $(CURDIR)/bin
LAB_DIR ?= $(CURDIR)/_output/lab
LAB_NODES ?= 3
# 1: lab-up adds the kubelet node (a real kubelet on containerd) when the machine can run it.
LAB_KUBELET_NODE ?= 1
GO_TEST_FLAGS ?= -count=1
GOLANGCI_LINT_VERSION ?= v2.15.0
GOLANGCI_LINT ?= $(LOCALBIN)/golangci-lint-$(GOLANGCI_LINT_VERSION)
HELM_VERSION ?= v3.16.4
HELM ?= $(LOCALBIN)/helm-$(HELM_VERSION)

# Pinned versions of everything built here (hack/testbin.sh reads the first three).
export K8S_VERSION ?= v1.34.2
export ETCD_VERSION ?= v3.6.4
export CNI_PLUGINS_VERSION ?= v1.9.1

include hack/gen.mk

##@ General

.PHONY: help
help: ## Show this help.
	@awk 'BEGIN {FS = ":.*##"; printf "Usage: make <target>\n"} /^[a-zA-Z_0-9-]+:.*?##/ { printf "  %-18s %s\n", $$1, $$2 } /^##@/ { printf "\n%s\n", substr($$0, 5) }' $(MAKEFILE_LIST)

##@ Main commands (README)

.PHONY: demo
demo: lab-up ## Main job: bring up the lab, helm install spiderpool, show pods getting addresses (also on a real kubelet).
	hack/demo.sh "$(LAB_DIR)"

.PHONY: test
test: deps testbin tools ## Run every test: standalone check, generated-file drift, unit, fuzz seeds, netns, envtest and lab e2e.
	hack/test.sh

.PHONY: chaos
chaos: deps testbin tools ## Chaos suite (not in test): CHAOS_RUNS=20 runs of CHAOS_DURATION=10m, CHAOS_NODES=10, CHAOS_PODS=1000, CHAOS_SEED to replay (docs/chaos.md).
	hack/chaos.sh

##@ Build

.PHONY: build
build: ## Build every binary into ./bin, statically linked (CGO_ENABLED=0: the agent copies the plugins onto hosts).
	@mkdir -p $(LOCALBIN)
	CGO_ENABLED=0 go build -o $(LOCALBIN)/ ./cmd/...

.PHONY: deps
deps: ## Install the Debian packages the lab and tests need (root).
	hack/deps.sh

.PHONY: testbin
testbin: ## Build the pinned Kubernetes, etcd and CNI plugin binaries into the cache.
	hack/testbin.sh >/dev/null
	hack/testbin.sh --cni-dir >/dev/null

.PHONY: tools
tools: $(CONTROLLER_GEN) $(GOLANGCI_LINT) $(HELM) ## Install the pinned Go tools into ./bin.

$(GOLANGCI_LINT):
	@mkdir -p $(LOCALBIN)
	@echo "tools: building golangci-lint $(GOLANGCI_LINT_VERSION) (about 3 minutes cold)"
	GOBIN=$(LOCALBIN)/.gl go install github.com/golangci/golangci-lint/v2/cmd/golangci-lint@$(GOLANGCI_LINT_VERSION)
	mv $(LOCALBIN)/.gl/golangci-lint $@ && rmdir $(LOCALBIN)/.gl

$(HELM):
	@mkdir -p $(LOCALBIN)
	@echo "tools: building helm $(HELM_VERSION) (about 2 minutes cold)"
	GOBIN=$(LOCALBIN)/.helm go install helm.sh/helm/v3/cmd/helm@$(HELM_VERSION)
	mv $(LOCALBIN)/.helm/helm $@ && rmdir $(LOCALBIN)/.helm

.PHONY: chart-sync
chart-sync: ## Copy the generated CRDs and RBAC roles (config/) into charts/spiderpool (hack/sync-chart.sh).
	hack/sync-chart.sh

.PHONY: lint
lint: $(GOLANGCI_LINT) ## Run the pinned golangci-lint with .golangci.yml.
	$(GOLANGCI_LINT) run ./...

##@ Lab

.PHONY: lab-up
lab-up: deps testbin build $(HELM) ## Bring up the lab cluster (LAB_NODES nodes, the kubelet node unless LAB_KUBELET_NODE=0) in LAB_DIR and helm install charts/spiderpool.
	@if [[ -f "$(LAB_DIR)/lab.json" ]]; then echo "lab: already up in $(LAB_DIR) (make lab-down to remove it)"; else \
	  $(LOCALBIN)/spiderlab up --dir "$(LAB_DIR)" --nodes $(LAB_NODES) \
	    --k8s-bin "$$(hack/testbin.sh 2>/dev/null)" --cni-bin "$$(hack/testbin.sh --cni-dir 2>/dev/null)" \
	    --chart charts/spiderpool --helm $(HELM) --bin-dir $(LOCALBIN) \
	    $$([[ "$(LAB_KUBELET_NODE)" == 1 ]] && hack/kubelet-node.sh "$(LOCALBIN)"); fi

.PHONY: lab-down
lab-down: ## Tear the lab down: processes by PID, network namespaces, files.
	@if [[ -f "$(LAB_DIR)/lab.json" ]]; then $(LOCALBIN)/spiderlab down --dir "$(LAB_DIR)"; echo "lab: down"; else echo "lab: not up"; fi

##@ Benchmarks

.PHONY: bench
bench: deps testbin ## Run the microbenchmarks and the lab replay (root; BENCH_* knobs in hack/bench.sh) into _output/bench.
	hack/bench.sh

