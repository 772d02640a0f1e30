#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Copyright Authors of spiderpool-go
#
# Runs every benchmark (docs/benchmarks.md) and writes _output/bench:
#   micro.txt     `go test -bench -benchmem` output: allocator choice by pool size, plugin CPU per ADD/DEL,
#                 contention of K agents on one pool (envtest), agent heap
#   results.json  the lab replay's figures plus the parsed microbenchmarks
#   results.md    the same as short Markdown tables
#   contention.json, contention.md   the plugin-direct contention benchmark (test/bench/contention)
# The lab replay needs root (network namespaces). Knobs (environment):
#   BENCH_NODES=10 BENCH_DEPLOYMENTS=100 BENCH_REPLICAS=10
#   BENCH_SCENARIOS=exact,plenty,single,autopool (or a subset, or none)   BENCH_MICRO=1 (0 skips)
#   BENCH_CONTENTION_N=300 (allocations per contention run)   BENCH_PLUGIN_N=200 (plugin ADD+DEL per case)
#   BENCH_LAB_NAME=bench   BENCH_OUT=_output/bench   BENCH_PHASE_TIMEOUT=10m
#   BENCH_CONTENTION_SCENARIOS=shared-v4,pernode-v4,shared-dual,pernode-dual,shared-v4-big (or none)
#   BENCH_CONTENTION_PODS=1000 BENCH_CONTENTION_CONCURRENCY=5 (plugin calls in flight per node)
#   BENCH_CONTENTION_MINUTES=15 (its own bound)   BENCH_CONTENTION_BASELINE_AGENT=<binary> (A/B in the same lab)
#   BENCH_CONTENTION_CLAIMS=1 (also every scenario with SPIDERPOOL_CLAIM_STORAGE on: build "claims")
#   BENCH_CLAIM_STORAGE=1 (the lab replay with SPIDERPOOL_CLAIM_STORAGE on; its checks read the SpiderIPClaims)
#   BENCH_BUDGET_MINUTES=55: the whole run, microbenchmarks and the contention benchmark included, ends
#   within it; the lab replay gets what is left (less a minute to take the lab down) and records what it
#   cut short
# Extra arguments go to spiderbench (go run ./test/bench/spiderbench -h).
set -euo pipefail
cd "$(dirname "$0")/.."

out=${BENCH_OUT:-_output/bench}
mkdir -p "$out/bin"
KUBEBUILDER_ASSETS=${KUBEBUILDER_ASSETS:-$(hack/testbin.sh | tail -n1)}
CNI_PLUGINS_DIR=${CNI_PLUGINS_DIR:-$(hack/testbin.sh --cni-dir | tail -n1)}
export KUBEBUILDER_ASSETS CNI_PLUGINS_DIR

start=$(date +%s)
step() { echo "bench: $(( $(date +%s) - start ))s: $*" >&2; }

if [[ "${BENCH_MICRO:-1}" != 0 ]]; then
  step "microbenchmarks -> $out/micro.txt"
  {
    go test ./internal/allocator/ -run '^$' -bench . -benchmem -benchtime=0.2s -count=1
    go test ./test/bench/micro/ -run '^$' -bench Contention -benchmem -benchtime="${BENCH_CONTENTION_N:-300}x" -count=1
    go test ./test/bench/micro/ -run '^$' -bench AgentMemory -benchmem -benchtime=1x -count=1
    go test ./internal/cni/ipamplugin/ -run '^$' -bench PluginCPU -benchtime="${BENCH_PLUGIN_N:-200}x" -count=1
  } 2>&1 | tee "$out/micro.txt"
fi

step "building the binaries"
CGO_ENABLED=0 go build -o "$out/bin/" ./cmd/spiderlab ./cmd/spiderpool-agent ./cmd/spiderpool ./cmd/spiderpool-controller ./test/bench/spiderbench \
  ./test/bench/contention/cmd/contentionbench

contention=${BENCH_CONTENTION_SCENARIOS:-shared-v4,pernode-v4,shared-dual,pernode-dual,shared-v4-big}
if [[ "$contention" != none ]]; then
  step "plugin-direct contention benchmark -> $out/contention.md"
  baseline=()
  [[ -n "${BENCH_CONTENTION_BASELINE_AGENT:-}" ]] && baseline=(--baseline-agent-binary "$BENCH_CONTENTION_BASELINE_AGENT")
  [[ "${BENCH_CONTENTION_CLAIMS:-}" == 1 ]] && baseline+=(--claim-storage)
  "$out/bin/contentionbench" --bin-dir "$out/bin" --out "$out" --nodes "${BENCH_NODES:-10}" \
    --pods "${BENCH_CONTENTION_PODS:-1000}" --concurrency "${BENCH_CONTENTION_CONCURRENCY:-5}" \
    --scenarios "$contention" --budget "${BENCH_CONTENTION_MINUTES:-15}m" "${baseline[@]}" ||
    echo "bench: the contention benchmark failed (see above); going on with the lab replay" >&2
fi

micro=()
[[ -f "$out/micro.txt" ]] && micro=(--micro "$out/micro.txt")
budget=$(( ${BENCH_BUDGET_MINUTES:-55} * 60 - ($(date +%s) - start) - 60 ))
if (( budget < 60 )); then
  echo "bench: BENCH_BUDGET_MINUTES=${BENCH_BUDGET_MINUTES:-55} leaves ${budget}s for the lab replay; raise it" >&2
  exit 1
fi
step "lab replay, within ${budget}s"
replay_claims=()
[[ "${BENCH_CLAIM_STORAGE:-}" == 1 ]] && replay_claims=(--claim-storage)
"$out/bin/spiderbench" --bin-dir "$out/bin" --out "$out" --lab-name "${BENCH_LAB_NAME:-bench}" \
  --nodes "${BENCH_NODES:-10}" --deployments "${BENCH_DEPLOYMENTS:-100}" --replicas "${BENCH_REPLICAS:-10}" \
  --scenarios "${BENCH_SCENARIOS:-exact,plenty,single,autopool}" --phase-timeout "${BENCH_PHASE_TIMEOUT:-10m}" \
  --budget "${budget}s" "${micro[@]}" "${replay_claims[@]}" "$@"
step "done: $out/results.md"
