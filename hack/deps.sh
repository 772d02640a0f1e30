#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Copyright Authors of spiderpool-go
#
# deps.sh installs the Debian packages the lab and the tests need, when they
# are missing, and checks that we run as root (network namespaces need it).
set -euo pipefail

say() { echo "deps: $*" >&2; }

if [[ $(id -u) -ne 0 ]]; then
  say "the lab and the network tests create network namespaces and veth pairs: run as root (sudo make ...)"
  exit 1
fi

need=()
command -v ip >/dev/null || need+=(iproute2)
command -v ping >/dev/null || need+=(iputils-ping)
command -v arping >/dev/null || need+=(iputils-arping)
command -v nsenter >/dev/null || need+=(util-linux)
command -v jq >/dev/null || need+=(jq)
# The lab's optional kubelet node (test/lab/kubeletnode.go) runs pods on
# containerd 1.6 (CRI plugin) and runc from Debian.
command -v containerd >/dev/null || need+=(containerd)
command -v runc >/dev/null || need+=(runc)
if [[ ${#need[@]} -gt 0 ]]; then
  say "installing ${need[*]} with apt-get"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
say "system packages present (iproute2, iputils-ping, iputils-arping, util-linux, jq, containerd, runc)"
