#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Copyright Authors of spiderpool-go
#
# kubelet-node.sh prints the `spiderlab up` flags that add the lab's kubelet
# node (a real kubelet on containerd, docs/lab.md "The kubelet node"):
# --kubelet-node --pause <bin dir>/pause, building the static pause binary
# into the bin dir given as $1. When this machine cannot run the node
# (kubelet not built by hack/testbin.sh, containerd, runc, ctr or nsenter not
# installed by hack/deps.sh) it prints nothing and says what is missing.
set -euo pipefail
bindir=${1:?usage: hack/kubelet-node.sh BIN_DIR}
say() { echo "lab: $*" >&2; }

missing=()
k8s=$(hack/testbin.sh 2>/dev/null || true)
[[ -n $k8s && -x $k8s/kubelet ]] || missing+=("kubelet (hack/testbin.sh)")
for bin in containerd containerd-shim-runc-v2 runc ctr nsenter; do
  command -v "$bin" >/dev/null || missing+=("$bin (hack/deps.sh)")
done
if [[ ${#missing[@]} -gt 0 ]]; then
  say "no kubelet node: missing ${missing[*]}; the lab comes up with simulated nodes only"
  exit 0
fi
if ! CGO_ENABLED=0 go build -ldflags='-s -w' -o "$bindir/pause" ./test/lab/pause; then
  say "no kubelet node: building test/lab/pause failed"
  exit 0
fi
echo "--kubelet-node --pause $bindir/pause"
