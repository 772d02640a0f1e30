#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Copyright Authors of spiderpool-go
#
# testbin.sh builds the real Kubernetes and CNI binaries the tests and the lab
# run on, from pinned Go modules, into a cache keyed by version. A binary that
# is already in the cache is not built again. Prints the cache directory last.
#
#   hack/testbin.sh            build what is missing, print the Kubernetes bin dir
#   hack/testbin.sh --cni-dir  build what is missing, print the CNI plugins dir
#   TESTBIN_DIR=... overrides the cache root.
set -euo pipefail

K8S_VERSION="${K8S_VERSION:-v1.34.2}"
ETCD_VERSION="${ETCD_VERSION:-v3.6.4}"
CNI_PLUGINS_VERSION="${CNI_PLUGINS_VERSION:-v1.9.1}"

root="${TESTBIN_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/spiderpool-testbin}"
kdir="$root/k8s-$K8S_VERSION-etcd-$ETCD_VERSION"
cdir="$root/cni-plugins-$CNI_PLUGINS_VERSION"
mkdir -p "$kdir/bin" "$cdir"

say() { echo "testbin: $*" >&2; }

# One build at a time per cache: concurrent test packages may all call us.
exec 9>"$root/.lock"
flock 9

write_k8s_module() {
  local minor=${K8S_VERSION#v1.}; minor=${minor%%.*}
  local staging="v0.$minor.${K8S_VERSION##*.}"
  {
    echo "module kasbuild"
    echo
    echo "go 1.24.0"
    echo
    echo "require ("
    echo "	k8s.io/kubernetes $K8S_VERSION"
    echo "	go.etcd.io/etcd/server/v3 $ETCD_VERSION"
    echo ")"
    echo
    echo "replace ("
    for m in api apiextensions-apiserver apimachinery apiserver cli-runtime client-go \
      cloud-provider cluster-bootstrap code-generator component-base component-helpers \
      controller-manager cri-api cri-client csi-translation-lib dynamic-resource-allocation \
      endpointslice externaljwt kms kube-aggregator kube-controller-manager kube-proxy \
      kube-scheduler kubectl kubelet metrics mount-utils pod-security-admission \
      sample-apiserver sample-cli-plugin sample-controller; do
      echo "	k8s.io/$m => k8s.io/$m $staging"
    done
    echo ")"
  } > "$kdir/go.mod"
  touch "$kdir/go.sum"
}

build_k8s() {
  # kubelet runs only on the lab's optional kubelet node (test/lab/kubeletnode.go).
  local want=(etcd kube-apiserver kube-controller-manager kube-scheduler kubectl kubelet) missing=()
  for b in "${want[@]}"; do [[ -x "$kdir/bin/$b" ]] || missing+=("$b"); done
  if [[ ${#missing[@]} -eq 0 ]]; then say "kubernetes $K8S_VERSION, etcd $ETCD_VERSION: cached in $kdir/bin"; return; fi
  [[ -f "$kdir/go.mod" ]] || write_k8s_module
  local minor=${K8S_VERSION#v1.}; minor=${minor%%.*}
  local ld="-s -w"
  for p in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    ld="$ld -X $p.gitVersion=$K8S_VERSION -X $p.gitMajor=1 -X $p.gitMinor=$minor -X $p.gitTreeState=clean"
  done
  for b in "${missing[@]}"; do
    local pkg="k8s.io/kubernetes/cmd/$b" flags="$ld"
    [[ $b == etcd ]] && { pkg="go.etcd.io/etcd/server/v3"; flags="-s -w"; }
    say "building $b ($pkg); cold builds take minutes (kube-apiserver about 5-10 on 2 cores)"
    local start=$SECONDS
    (cd "$kdir" && GOFLAGS=-mod=mod go build -ldflags="$flags" -o "bin/$b.tmp.$$" "$pkg" && mv "bin/$b.tmp.$$" "bin/$b")
    say "built $b in $((SECONDS - start))s"
  done
}

build_cni() {
  local want=(macvlan host-local static bridge loopback) missing=()
  for b in "${want[@]}"; do [[ -x "$cdir/$b" ]] || missing+=("$b"); done
  if [[ ${#missing[@]} -eq 0 ]]; then say "CNI plugins $CNI_PLUGINS_VERSION: cached in $cdir"; return; fi
  local pkgs=()
  for b in "${missing[@]}"; do
    case $b in
      host-local|static) pkgs+=("github.com/containernetworking/plugins/plugins/ipam/$b@$CNI_PLUGINS_VERSION") ;;
      *) pkgs+=("github.com/containernetworking/plugins/plugins/main/$b@$CNI_PLUGINS_VERSION") ;;
    esac
  done
  say "building CNI plugins ${missing[*]} at $CNI_PLUGINS_VERSION"
  GOBIN="$cdir" GOFLAGS= go install -ldflags="-s -w" "${pkgs[@]}"
}

build_k8s
build_cni
if [[ ${1:-} == --cni-dir ]]; then echo "$cdir"; exit 0; fi
# Kubebuilder assets layout for envtest: one directory with the binaries.
echo "$kdir/bin"
