#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Copyright Authors of spiderpool-go
#
# demo-coordinator.sh is the coordinator part of demo.sh (chart mode, where
# the nodes' network is macvlan + spiderpool + coordinator). Arguments: the
# lab dir, then the UID, name and node of a running demo pod. It shows the
# default SpiderCoordinator, the pod reaching its node's address through
# veth0 with the routes and rules that make it so, then deploys
# test/e2e/manifests/demo-nics.yaml and shows a two-NIC pod's rules, the
# route table of its net1 and a ping to the other pod's net1.
set -euo pipefail
dir=$1 uid=$2 name=$3 node=$4
say() { echo "demo: $*" >&2; }
kubectl="$(jq -r .k8sBinDir "$dir/lab.json")/kubectl --kubeconfig $dir/kubeconfig"
prefix="spl-$(jq -r .name "$dir/lab.json")-p-"
inpod() { local u=$1; shift; ip netns exec "$prefix$u" "$@"; }

say "the default SpiderCoordinator (spiderpool-init created it; spiderpool-controller detected the CIDRs)"
$kubectl get spidercoordinators default \
  -o custom-columns='NAME:.metadata.name,MODE:.spec.mode,PODCIDRTYPE:.spec.podCIDRType,PHASE:.status.phase,SERVICECIDR:.status.serviceCIDR,OVERLAYPODCIDR:.status.overlayPodCIDR'
node_ip=$(jq -r --arg n "$node" '.nodes[] | select(.name == $n) | .ip' "$dir/lab.json")
say "$name: the coordinator's veth0 leads to the node; ip -br addr, ip rule, ip route, table 100 (replies to what came in on veth0)"
inpod "$uid" ip -br addr
inpod "$uid" ip rule
inpod "$uid" ip route
inpod "$uid" ip route show table 100
say "$name reaches its node's address $node_ip through veth0 (a macvlan child cannot reach its master)"
inpod "$uid" ip route get "$node_ip"
inpod "$uid" ping -c 2 -W 2 "$node_ip"

say "applying test/e2e/manifests/demo-nics.yaml (pool on eth1, SpiderMultusConfig macvlan-eth1, Deployment two-nic x2)"
$kubectl apply -f test/e2e/manifests/demo-nics.yaml >/dev/null
$kubectl -n demo-nics rollout status deployment/two-nic --timeout=180s >/dev/null
$kubectl -n demo-nics get pods -o wide
mapfile -t pods < <($kubectl -n demo-nics get pods -l app=two-nic -o jsonpath='{range .items[*]}{.metadata.uid} {.metadata.name}{"\n"}{end}')
read -r uid_a name_a <<<"${pods[0]}"
read -r uid_b name_b <<<"${pods[1]}"
net1_b=$(inpod "$uid_b" ip -4 -o addr show dev net1 | awk '{print $4}' | cut -d/ -f1)
say "$name_a: two NICs; net1's addresses have their own rule and table (101), main keeps eth0's default route"
inpod "$uid_a" ip -br addr
inpod "$uid_a" ip rule
inpod "$uid_a" ip route
inpod "$uid_a" ip route show table 101
say "$name_a reaches $name_b's net1 ($net1_b) over eth1"
inpod "$uid_a" ping -c 2 -W 2 "$net1_b"
