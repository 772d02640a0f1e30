#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Copyright Authors of spiderpool-go
#
# verify-generated.sh checks that the generated files committed in a module
# (api/**/zz_generated.deepcopy.go, config/crd/bases, config/crd/nad, and
# config/rbac when DIR has internal/) are what controller-gen makes from the
# API types and the +kubebuilder:rbac markers, and that the chart's copies of
# them (charts/spiderpool, when present) match (hack/sync-chart.sh --verify).
# It regenerates into a temporary directory, so DIR itself is never modified.
#
#   hack/verify-generated.sh [DIR]   DIR defaults to the repository root.
#
# controller-gen: $CONTROLLER_GEN if set, else $LOCALBIN/controller-gen-$VERSION
# (LOCALBIN defaults to DIR/bin), installed there with go install if missing.
set -euo pipefail

VERSION="${CONTROLLER_TOOLS_VERSION:-v0.19.0}"
dir="$(cd "${1:-$(dirname "$0")/..}" && pwd)"
localbin="${LOCALBIN:-$dir/bin}"
gen="${CONTROLLER_GEN:-$localbin/controller-gen-$VERSION}"

if [[ ! -x "$gen" ]]; then
  echo "verify-generated: installing controller-gen $VERSION into $localbin" >&2
  mkdir -p "$localbin"
  rm -f "$localbin/controller-gen"
  GOBIN="$localbin" go install "sigs.k8s.io/controller-tools/cmd/controller-gen@$VERSION"
  mv "$localbin/controller-gen" "$gen"
fi

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

# The copy holds what controller-gen reads: the module files, the API
# packages and the header. CRD directories start empty so that a stale or
# extra file in DIR shows up in the diff.
cp "$dir/go.mod" "$dir/go.sum" "$tmp/"
cp -R "$dir/api" "$tmp/api"
mkdir -p "$tmp/hack" "$tmp/config/crd/bases" "$tmp/config/crd/nad"
cp "$dir/hack/boilerplate.go.txt" "$tmp/hack/"

(
  cd "$tmp"
  "$gen" object:headerFile=hack/boilerplate.go.txt paths=./api/...
  "$gen" crd paths=./api/v2beta1/... paths=./api/ipamclaims/... output:crd:artifacts:config=config/crd/bases
  "$gen" crd paths=./api/k8scni/... output:crd:artifacts:config=config/crd/nad
)

# RBAC markers live in internal/: generate from DIR into the copy (a DIR
# holding only the API types, as test/crd makes, skips this).
subs=(api config/crd/bases config/crd/nad)
if [[ -d "$dir/internal" ]]; then
  CONTROLLER_GEN="$gen" "$dir/hack/gen-rbac.sh" "$tmp/config/rbac"
  subs+=(config/rbac)
fi

status=0
for sub in "${subs[@]}"; do
  if [[ ! -d "$dir/$sub" ]]; then
    echo "verify-generated: $dir/$sub is missing" >&2
    status=1
    continue
  fi
  # Diff output: "-" lines are committed in DIR, "+" lines are generated.
  diff -ruN "$dir/$sub" "$tmp/$sub" || status=1
done

# The chart's copies of the CRDs and roles (charts/spiderpool/crds, files/rbac).
if [[ -d "$dir/charts" ]]; then
  "$dir/hack/sync-chart.sh" --verify || status=1
fi

if [[ $status -ne 0 ]]; then
  echo "verify-generated: generated files are out of date; run: make generate manifests chart-sync" >&2
  exit 1
fi
echo "verify-generated: generated files are up to date" >&2
