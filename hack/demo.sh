#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Copyright Authors of spiderpool-go
#
# demo.sh runs the main job on an up lab (chart mode: spiderpool installed
# with its Helm chart): shows the release, the agent and controller pods and
# the default pools spiderpool-init created, then deploys a Deployment of 10
# and a StatefulSet of 3, waits until they run, shows the pods' addresses and
# pings between two pods on different nodes from inside their network
# namespaces. In chart mode the nodes' network is macvlan + spiderpool +
# coordinator: it then shows the SpiderCoordinator, a pod reaching its node
# through veth0, and a Deployment of two-NIC pods whose net1 (macvlan on
# eth1) has its own route table. When the lab has the kubelet node (a real
# kubelet on containerd), hack/demo-kubelet.sh then shows a pod there.
set -euo pipefail
dir=${1:-_output/lab}
say() { echo "demo: $*" >&2; }
kubectl="$(jq -r .k8sBinDir "$dir/lab.json")/kubectl --kubeconfig $dir/kubeconfig"
prefix="spl-$(jq -r .name "$dir/lab.json")-p-"

if [[ $(jq -r '.chart // ""' "$dir/lab.json") != "" ]]; then
  helm() {
    KUBECONFIG="$dir/kubeconfig" HELM_CACHE_HOME="$dir/helm/cache" HELM_CONFIG_HOME="$dir/helm/config" \
      HELM_DATA_HOME="$dir/helm/data" "$(jq -r .helmBinary "$dir/lab.json")" "$@"
  }
  say "helm list: spiderpool installed from charts/spiderpool"
  helm list --namespace kube-system
  say "the chart's pods, run by the node simulators as host processes (agent DaemonSet, controller, init Job)"
  $kubectl -n kube-system get pods -o wide
  say "default pools created by the spiderpool-init Job (clusterDefaultPool.* values)"
  $kubectl get spiderippools,spidersubnets
else
  say "applying test/e2e/manifests/pools.yaml (dual-stack default SpiderIPPools)"
  $kubectl apply -f test/e2e/manifests/pools.yaml >/dev/null
fi
say "applying test/e2e/manifests/demo.yaml (Deployment web x10, StatefulSet db x3)"
$kubectl apply -f test/e2e/manifests/demo.yaml >/dev/null
say "waiting for the pods to be Running with addresses"
$kubectl -n demo rollout status deployment/web --timeout=180s >/dev/null
$kubectl -n demo rollout status statefulset/db --timeout=180s >/dev/null
$kubectl get nodes -o wide
$kubectl get sp -o wide
$kubectl -n demo get se,pods -o wide

# The simulated nodes' pods: the lab pins their network namespaces as
# $prefix<uid> (pods on the kubelet node have containerd's).
kubelet_node=$(jq -r '.kubeletNode.name // ""' "$dir/lab.json")
mapfile -t pods < <($kubectl -n demo get pods -o jsonpath='{range .items[*]}{.metadata.uid} {.spec.nodeName} {.status.podIP} {.metadata.name}{"\n"}{end}' |
  awk -v k="$kubelet_node" '$2 != k')
read -r uid1 node1 ip1 name1 <<<"${pods[0]}"
for p in "${pods[@]:1}"; do
  read -r uid2 node2 ip2 name2 <<<"$p"
  [[ $node2 != "$node1" ]] && break
done
say "ping from $name1 ($ip1 on $node1) to $name2 ($ip2 on $node2) inside the pod's network namespace"
ip netns exec "$prefix$uid1" ping -c 2 -W 2 "$ip2"
if [[ $(jq -r '.chart // ""' "$dir/lab.json") != "" ]]; then
  hack/demo-coordinator.sh "$dir" "$uid1" "$name1" "$node1"
fi
if [[ -n $kubelet_node ]]; then
  hack/demo-kubelet.sh "$dir" "$name2" "$ip2"
else
  say "this lab has no kubelet node (make lab-up adds one when kubelet, containerd and runc are installed)"
fi
say "done; the lab stays up: export KUBECONFIG=$dir/kubeconfig, tear it down with make lab-down"
