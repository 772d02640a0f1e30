// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/containernetworking/cni/libcni"
	"github.com/containernetworking/cni/pkg/types"
	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/spiderpool-go/spiderpool/internal/cni/netconf"
	"github.com/spiderpool-go/spiderpool/test/lab"
)

// checkCNICalls logs the CNI commands containerd sent and wants ADD and DEL
// for both macvlan and the spiderpool IPAM plugin.
func checkCNICalls(t *testing.T, kn *lab.KubeletNode) {
	t.Helper()
	count := cniCalls(t, kn)
	t.Logf("CNI calls containerd made on %s: %v", kn.Name, count)
	for _, want := range []string{"ADD macvlan", "ADD spiderpool", "DEL macvlan", "DEL spiderpool"} {
		if count[want] == 0 {
			t.Errorf("no %s call in %s", want, kn.CNICallLog())
		}
	}
}

// cniCalls counts the calls in the node's CNI call log by "COMMAND plugin".
func cniCalls(t *testing.T, kn *lab.KubeletNode) map[string]int {
	t.Helper()
	data, err := os.ReadFile(kn.CNICallLog())
	if err != nil {
		t.Fatalf("read the CNI call log: %v", err)
	}
	count := map[string]int{}
	for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		if f := strings.Fields(line); len(f) >= 2 {
			count[f[0]+" "+f[1]]++
		}
	}
	return count
}

// pingFromKubeletPod pings to from a pod on the kubelet node.
func pingFromKubeletPod(ctx context.Context, l *lab.Lab, pod *corev1.Pod, to string) error {
	out, err := inKubeletPod(ctx, l, pod, "ping", "-c", "1", "-W", "2", to)
	if err != nil {
		return fmt.Errorf("ping %s from %s on the kubelet node: %w: %s", to, pod.Name, err, out)
	}
	return nil
}

// inKubeletPod runs a command in the network namespace of a pod on the
// kubelet node, entered through its container's process as containerd
// made it.
func inKubeletPod(ctx context.Context, l *lab.Lab, pod *corev1.Pod, args ...string) (string, error) {
	id := strings.TrimPrefix(pod.Status.ContainerStatuses[0].ContainerID, "containerd://")
	out, err := exec.CommandContext(ctx, "ctr", "--address", l.KubeletNode.ContainerdSocket(), "-n", "k8s.io",
		"tasks", "ps", id).CombinedOutput()
	if err != nil {
		return string(out), fmt.Errorf("ctr tasks ps %s: %w", id, err)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	pid := strings.Fields(lines[len(lines)-1])[0]
	out, err = exec.CommandContext(ctx, "nsenter", append([]string{"-t", pid, "-n"}, args...)...).CombinedOutput()
	return string(out), err
}

// checkStatusAndGC sends the kubelet node's network, at spec 1.1.0, the
// STATUS and GC that containerd 1.6 never sends (newer runtimes do), with
// containerd's sandboxes as the valid attachments. STATUS goes through
// macvlan to spiderpool and succeeds. macvlan v1.9.1 has no GC handler (a
// no-op that never reaches its IPAM plugin), so GC is also sent to the
// spiderpool plugin alone, as the network's IPAM: it keeps every live pod's
// addresses.
func checkStatusAndGC(t *testing.T, ctx context.Context, c client.Client, kn *lab.KubeletNode) {
	t.Helper()
	chain, ipamOnly := kubeletNetworkAt110(t, kn)
	t.Setenv(netconf.EnvRoot, kn.RootFS()) // as containerd runs the plugins
	cni := libcni.NewCNIConfigWithCacheDir([]string{kn.CNIWrapperDir()}, t.TempDir(), nil)
	if err := cni.GetStatusNetworkList(ctx, chain); err != nil {
		t.Errorf("CNI STATUS on the kubelet node: %v", err)
	}
	var valid []types.GCAttachment
	for _, id := range kubeletSandboxes(t, ctx, kn) {
		valid = append(valid, types.GCAttachment{ContainerID: id, IfName: "eth0"})
	}
	before, err := poolsRecords(ctx, c, "kn-v4", "kn-v6")
	if err != nil {
		t.Fatal(err)
	}
	for _, list := range []*libcni.NetworkConfigList{chain, ipamOnly} {
		if err := cni.GCNetworkList(ctx, list, &libcni.GCArgs{ValidAttachments: valid}); err != nil {
			t.Errorf("CNI GC of %s on the kubelet node with %d valid attachments: %v", list.Plugins[0].Network.Type, len(valid), err)
		}
	}
	after, err := poolsRecords(ctx, c, "kn-v4", "kn-v6")
	if err != nil {
		t.Fatal(err)
	}
	if !maps.Equal(before, after) {
		t.Errorf("CNI GC with every live sandbox valid changed the pools' records: before %v, after %v", before, after)
	}
	count := cniCalls(t, kn)
	t.Logf("CNI calls after STATUS and GC: %v", count)
	for _, want := range []string{"STATUS spiderpool", "GC spiderpool"} {
		if count[want] == 0 {
			t.Errorf("no %s call in %s", want, kn.CNICallLog())
		}
	}
}

// kubeletNetworkAt110 returns the kubelet node's network at spec 1.1.0, and
// the same network with only the spiderpool plugin (macvlan's ipam section).
func kubeletNetworkAt110(t *testing.T, kn *lab.KubeletNode) (chain, ipamOnly *libcni.NetworkConfigList) {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(kn.CNIConfDir(), "10-default.conflist"))
	if err != nil {
		t.Fatalf("read the kubelet node's network: %v", err)
	}
	var conf struct {
		Name    string           `json:"name"`
		Plugins []map[string]any `json:"plugins"`
	}
	if err := json.Unmarshal(raw, &conf); err != nil || len(conf.Plugins) == 0 {
		t.Fatalf("parse the kubelet node's network %s: %v", raw, err)
	}
	lists := make([]*libcni.NetworkConfigList, 0, 2)
	for _, plugins := range [][]map[string]any{conf.Plugins, {{"type": "spiderpool", "ipam": conf.Plugins[0]["ipam"]}}} {
		data, _ := json.Marshal(map[string]any{"cniVersion": "1.1.0", "name": conf.Name, "plugins": plugins}) // decoded JSON: cannot fail
		list, err := libcni.ConfListFromBytes(data)
		if err != nil {
			t.Fatalf("kubelet node network at 1.1.0: %v", err)
		}
		lists = append(lists, list)
	}
	return lists[0], lists[1]
}

// kubeletSandboxes lists the pod sandboxes containerd holds on the node.
func kubeletSandboxes(t *testing.T, ctx context.Context, kn *lab.KubeletNode) []string {
	t.Helper()
	out, err := exec.CommandContext(ctx, "ctr", "--address", kn.ContainerdSocket(), "-n", "k8s.io",
		"containers", "list", "-q", `labels."io.cri-containerd.kind"==sandbox`).CombinedOutput()
	if err != nil {
		t.Fatalf("list the kubelet node's sandboxes: %v: %s", err, out)
	}
	return strings.Fields(string(out))
}

// assertKubeletPodReaches checks that pod, on the kubelet node, pings sim
// (a pod on a simulated node) and its own node, the latter through the
// coordinator's veth0, and that sim pings it back.
func assertKubeletPodReaches(t *testing.T, ctx context.Context, l *lab.Lab, pod, sim *corev1.Pod) {
	t.Helper()
	kn := l.KubeletNode
	for _, to := range []string{podIP(sim, 4), kn.IP} {
		if err := pingFromKubeletPod(ctx, l, pod, to); err != nil {
			t.Error(err)
		}
	}
	if out, err := inKubeletPod(ctx, l, pod, "ip", "route", "get", kn.IP); err != nil || !strings.Contains(out, "dev veth0") {
		t.Errorf("route to the kubelet node %s in %s: %q, %v; want it through the coordinator's veth0", kn.IP, pod.Name, out, err)
	}
	if err := ping(l, *sim, podIP(pod, 4)); err != nil {
		t.Error(err)
	}
}
