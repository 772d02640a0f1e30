#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Copyright Authors of spiderpool-go
#
# chaos.sh is "make chaos": CHAOS_RUNS seeded chaos runs on the lab
# (docs/chaos.md). Knobs: CHAOS_RUNS (20), CHAOS_DURATION (10m),
# CHAOS_NODES (10), CHAOS_PODS (1000), CHAOS_SEED (first seed; run i uses
# seed+i; default: from the clock), CHAOS_SETTLE (6m). Replay one run with
# CHAOS_RUNS=1 CHAOS_SEED=<seed>. Results: _output/chaos/<timestamp>/.
set -euo pipefail
cd "$(dirname "$0")/.."
KUBEBUILDER_ASSETS="$(hack/testbin.sh)"
CNI_PLUGINS_DIR="$(hack/testbin.sh --cni-dir)"
export KUBEBUILDER_ASSETS CNI_PLUGINS_DIR SPIDERPOOL_CHAOS=1
export CHAOS_RUNS="${CHAOS_RUNS:-20}" CHAOS_DURATION="${CHAOS_DURATION:-10m}"
export CHAOS_NODES="${CHAOS_NODES:-10}" CHAOS_PODS="${CHAOS_PODS:-1000}"
echo "chaos: ${CHAOS_RUNS} runs of ${CHAOS_DURATION}, ${CHAOS_NODES} nodes, ${CHAOS_PODS} pods, first seed ${CHAOS_SEED:-<clock>}"
go test -count=1 -timeout 0 -v -run '^TestChaos$' ./test/chaos
