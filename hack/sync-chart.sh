#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Copyright Authors of spiderpool-go
#
# sync-chart.sh copies the generated manifests the Helm chart ships:
#
#   config/crd/bases/*.yaml, config/crd/nad/*.yaml  ->  charts/spiderpool/crds/
#   config/rbac/<component>/role.yaml               ->  charts/spiderpool/files/rbac/<component>/role.yaml
#
#   hack/sync-chart.sh            copy (make chart-sync)
#   hack/sync-chart.sh --verify   fail, with a diff, if the chart's copies differ
#
# The chart's copies are never edited by hand: change the API types or the
# +kubebuilder:rbac markers, run "make manifests chart-sync".
set -euo pipefail

dir="$(cd "$(dirname "$0")/.." && pwd)"
chart="$dir/charts/spiderpool"
verify=false
case "${1:-}" in
  --verify) verify=true ;;
  "") ;;
  *) echo "usage: $0 [--verify]" >&2; exit 2 ;;
esac

# stage writes the expected chart copies into $1.
stage() {
  mkdir -p "$1/crds" "$1/files/rbac"
  cp "$dir"/config/crd/bases/*.yaml "$dir"/config/crd/nad/*.yaml "$1/crds/"
  for role in "$dir"/config/rbac/*/role.yaml; do
    c="$(basename "$(dirname "$role")")"
    mkdir -p "$1/files/rbac/$c"
    cp "$role" "$1/files/rbac/$c/role.yaml"
  done
}

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
stage "$tmp"

if ! $verify; then
  rm -rf "$chart/crds" "$chart/files/rbac"
  mkdir -p "$chart/files"
  cp -R "$tmp/crds" "$chart/crds"
  cp -R "$tmp/files/rbac" "$chart/files/rbac"
  echo "sync-chart: copied CRDs and RBAC roles into $chart" >&2
  exit 0
fi

status=0
for sub in crds files/rbac; do
  # "-" lines are in the chart, "+" lines are what config/ holds.
  diff -ruN "$chart/$sub" "$tmp/$sub" || status=1
done
if [[ $status -ne 0 ]]; then
  echo "sync-chart: charts/spiderpool differs from config/; run: make chart-sync" >&2
  exit 1
fi
echo "sync-chart: chart CRDs and RBAC roles match config/" >&2
