#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Copyright Authors of spiderpool-go
#
# demo-kubelet.sh is the kubelet node part of demo.sh. Arguments: the lab
# dir, then the name and IPv4 address of a running demo pod on a simulated
# node. The lab's kubelet node is a real kubelet on containerd: the chart's
# agent DaemonSet keeps off it (nodeAffinity on spiderpool.io/lab-kubelet)
# and the lab runs that node's agent from the DaemonSet's pod template, its
# postStart hook installing the plugins into the node's CNI bin dir. The
# script creates a pod pinned to the node, shows its address and
# SpiderEndpoint, pings the other pod and the node from inside the pod's
# network namespace (containerd's, entered through the container's process)
# and counts the CNI calls containerd made.
set -euo pipefail
dir=$1 peer_name=$2 peer_ip=$3
say() { echo "demo: $*" >&2; }
kubectl="$(jq -r .k8sBinDir "$dir/lab.json")/kubectl --kubeconfig $dir/kubeconfig"
node=$(jq -r .kubeletNode.name "$dir/lab.json")
node_ip=$(jq -r .kubeletNode.ip "$dir/lab.json")
node_dir=$(jq -r .kubeletNode.dir "$dir/lab.json")
# The node's root dir and containerd's socket (lab.Node.RootFS, KubeletNode.ContainerdSocket).
rootfs=/run/splab/$(jq -r .kubeletNode.netns "$dir/lab.json")
ctr() { command ctr --address "$rootfs/run/containerd/containerd.sock" -n k8s.io "$@"; }

say "$node is a real kubelet on containerd; the agent DaemonSet keeps off it (nodeAffinity: spiderpool.io/lab-kubelet DoesNotExist)"
$kubectl get nodes -L spiderpool.io/lab-kubelet
$kubectl -n kube-system get daemonset spiderpool-agent
say "$node's agent runs from the DaemonSet's pod template (chart's ServiceAccount, spiderpool-conf); its postStart hook installed the plugins into the node's CNI bin dir"
ls -l "$rootfs/opt/cni/bin"
conflist=$rootfs/etc/cni/net.d/10-default.conflist
say "containerd's network on $node: $(jq -r '[.plugins[] | .type + (if .ipam then " (ipam " + .ipam.type + ")" else "" end)] | join(" + ")' "$conflist"), CNI $(jq -r .cniVersion "$conflist"), as on the simulated nodes"

say "creating pod demo/on-kubelet pinned to $node (nodeSelector spiderpool.io/lab-kubelet=true): kubelet -> containerd -> libcni -> macvlan + spiderpool + coordinator"
$kubectl apply -f - >/dev/null <<'YAML'
apiVersion: v1
kind: Pod
metadata:
  name: on-kubelet
  namespace: demo
spec:
  nodeSelector: {spiderpool.io/lab-kubelet: "true"}
  terminationGracePeriodSeconds: 1
  containers:
  - name: app
    image: registry.k8s.io/pause:3.10
YAML
$kubectl -n demo wait pod/on-kubelet --for=condition=Ready --timeout=180s >/dev/null
$kubectl -n demo get pod on-kubelet -o wide
say "its SpiderEndpoint: the addresses the spiderpool plugin got from $node's agent"
$kubectl -n demo get spiderendpoint on-kubelet -o wide

cid=$($kubectl -n demo get pod on-kubelet -o jsonpath='{.status.containerStatuses[0].containerID}')
pid=$(ctr tasks ps "${cid#containerd://}" | awk 'NR > 1 {pid = $1} END {print pid}')
inpod() { nsenter -t "$pid" -n "$@"; }
say "inside on-kubelet's network namespace (containerd's; entered through its container's process $pid): eth0 from macvlan, veth0 from the coordinator"
inpod ip -br addr
say "ping from on-kubelet to $peer_name ($peer_ip) on a simulated node"
inpod ping -c 2 -W 2 "$peer_ip"
say "ping from on-kubelet to its node's address $node_ip (through veth0)"
inpod ping -c 2 -W 2 "$node_ip"
say "CNI calls containerd made on $node (count, command, plugin; from $node_dir/cni-calls.log)"
awk '{print $1, $2}' "$node_dir/cni-calls.log" | sort | uniq -c
