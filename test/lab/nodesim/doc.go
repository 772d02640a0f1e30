// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

// Package nodesim simulates the networking half of one Kubernetes node for the
// lab cluster, which has no kubelet and no container runtime.
//
// A simulator registers its Node, renews the node Lease and the Ready heartbeat,
// and reconciles the pods bound to it: for each pod it creates a network
// namespace, runs the node's default CNI network for eth0 through libcni
// (every plugin is executed inside the node's "host" network namespace, so a
// macvlan "master" is looked up there), reports the pod Running and Ready with
// the IPs the plugins returned, and on deletion runs CNI DEL, removes the
// namespace and deletes the pod object as kubelet does.
//
// # The lab's stand-in for Multus
//
// Real clusters run Multus as the node's default CNI plugin. The Go proxy used
// here does not serve Multus, so the simulator does Multus's delegation itself:
// the pod annotation v1.multus-cni.io/default-network replaces the node default
// for eth0, every entry of k8s.v1.cni.cncf.io/networks (JSON list or the comma
// form ns/name@ifname) is resolved to a NetworkAttachmentDefinition
// (k8s.cni.cncf.io/v1, read as unstructured) and attached as net1, net2, ...
// unless it names its interface, and the result is written to the pod as
// k8s.v1.cni.cncf.io/network-status in Multus's format. Only the parts of the
// Multus behaviour the lab needs are implemented: no cluster-network or
// default-network list in a Multus config, no runtime-config capabilities
// (ips, mac) from the selection elements, no NAD without spec.config.
//
// # The project's own pods
//
// A hostNetwork pod whose container command names a binary of
// Config.HostBinDir (spiderpool-agent, -controller, -init) is run as child
// processes (podRunner): a kubeconfig with a TokenRequest token of the pod's
// ServiceAccount, downward-API environment, hostPath volumes under the
// node's root dir (Config.RootFS), ConfigMap, Secret and emptyDir volumes
// under the pod's dir, container paths translated in args, environment and
// ConfigMap files (the lab's one deliberate rewrite), DaemonSet *_PORT
// variables moved to free loopback ports (AnnotationPorts), an exec
// postStart hook that names a HostBinDir binary (the agent's
// install-plugins: the container is running once it succeeded and is killed
// when it fails), readiness from the httpGet probe, restarts with back-off, SIGTERM then SIGKILL on
// deletion, and every child stopped when the simulator stops.
//
// Sandbox records are written ahead of every CNI ADD under Config.StateDir, so
// a simulator that crashed or was restarted still tears down what it created.
package nodesim
