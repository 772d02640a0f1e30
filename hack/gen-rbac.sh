#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Copyright Authors of spiderpool-go
#
# gen-rbac.sh writes one role file per component, from the controller-gen
# rbac markers (// +kubebuilder:rbac:...) of the component's packages:
#
#   OUT/<component>/role.yaml   a ClusterRole spiderpool-<component> and, if
#                               any marker is namespaced, a Role of that name
#
#   hack/gen-rbac.sh [OUT]      OUT defaults to config/rbac
#
# The chart reads these files (charts/spiderpool/files/rbac, synced by
# hack/sync-chart.sh). Namespaced markers say namespace=spiderpool; the chart
# puts those rules in a Role of the release namespace.
set -euo pipefail

VERSION="${CONTROLLER_TOOLS_VERSION:-v0.19.0}"
dir="$(cd "$(dirname "$0")/.." && pwd)"
gen="${CONTROLLER_GEN:-${LOCALBIN:-$dir/bin}/controller-gen-$VERSION}"
out="$(mkdir -p "${1:-$dir/config/rbac}" && cd "${1:-$dir/config/rbac}" && pwd)"

# component → packages holding its markers (controller-gen paths syntax).
declare -A components=(
  [agent]="./internal/agent/..."
  [controller]="./internal/controller;./internal/certs/...;./internal/gc/..."
  [init]="./internal/initjob/..."
  [cleanup]="./internal/controller/cleanrbac/..."
)

cd "$dir"
for c in "${!components[@]}"; do
  mkdir -p "$out/$c"
  "$gen" "rbac:roleName=spiderpool-$c" "paths=${components[$c]}" "output:rbac:artifacts:config=$out/$c"
done
