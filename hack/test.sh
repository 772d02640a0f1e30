#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Copyright Authors of spiderpool-go
#
# test.sh runs every test of the project, in stages, with progress. It is
# what "make test" (the README's test command) and .ci/run execute.
set -euo pipefail
cd "$(dirname "$0")/.."
stage() { echo; echo "=== $* ($(date +%T))"; }

KUBEBUILDER_ASSETS="$(hack/testbin.sh)"
CNI_PLUGINS_DIR="$(hack/testbin.sh --cni-dir)"
export KUBEBUILDER_ASSETS CNI_PLUGINS_DIR

stage "the repository stands on its own (no references to files outside it; docs named in Go comments exist)"
hack/verify-standalone.sh

stage "generated files match the API types (controller-gen drift check)"
hack/verify-generated.sh

stage "go vet and golangci-lint (pinned, .golangci.yml)"
go vet ./...
make --no-print-directory lint

stage "unit, fuzz seed corpora, netns and envtest tests"
go test ${GO_TEST_FLAGS:--count=1} $(go list ./... | grep -v /test/e2e)

stage "lab e2e (real control plane, simulated nodes, real CNI)"
mkdir -p _output
log=_output/e2e.log
echo "(full output: $log)"
set +e
go test ${GO_TEST_FLAGS:--count=1} -timeout 40m -v -run "${E2E_RUN:-.}" ./test/e2e/... >"$log" 2>&1
rc=$?
set -e
grep -E '^(=== RUN|\s*--- (PASS|FAIL|SKIP)|PASS|FAIL|ok|panic)' "$log" | grep -v '^=== RUN' || true
if [[ $rc -ne 0 ]]; then
  echo "--- what the failing tests logged:"; awk -f hack/failed-output.awk "$log" "$log"
  tail -50 "$log"; echo "e2e failed (rc=$rc)"; exit "$rc"
fi

stage "chaos short run (3 nodes, 2 minutes, every fault kind once; docs/chaos.md)"
log=_output/chaos-short.log
echo "(full output: $log)"
set +e
SPIDERPOOL_CHAOS=1 go test ${GO_TEST_FLAGS:--count=1} -timeout 20m -v -run '^TestChaosShort$' ./test/chaos >"$log" 2>&1
rc=$?
set -e
grep -E '^\s*(--- (PASS|FAIL|SKIP)|PASS|FAIL|ok|panic)|chaos_test.go.*seed=' "$log" || true
if [[ $rc -ne 0 ]]; then tail -50 "$log"; echo "chaos short run failed (rc=$rc): replay with CHAOS_SEED=<seed> as printed"; exit "$rc"; fi
