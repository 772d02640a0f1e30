// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package nodesim

import (
	"net"
	"testing"
	"time"

	current "github.com/containernetworking/cni/pkg/types/100"
	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
)

func TestRunningStatus(t *testing.T) {
	start := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	pod := &corev1.Pod{
		Spec: corev1.PodSpec{
			InitContainers: []corev1.Container{
				{Name: "init", Image: "busybox"},
				{Name: "sidecar", Image: "envoy", RestartPolicy: ptr.To(corev1.ContainerRestartPolicyAlways)},
			},
			Containers: []corev1.Container{{Name: "app", Image: "nginx"}, {Name: "log", Image: "fluentd"}},
		},
		Status: corev1.PodStatus{
			QOSClass:   corev1.PodQOSBestEffort,
			Conditions: []corev1.PodCondition{{Type: corev1.PodScheduled, Status: corev1.ConditionTrue}},
		},
	}
	st := runningStatus(pod, "172.30.0.11", []string{"10.250.0.10", "fd00::10"}, "sandbox", start)

	if st.Phase != corev1.PodRunning || st.PodIP != "10.250.0.10" || len(st.PodIPs) != 2 || st.HostIP != "172.30.0.11" {
		t.Errorf("status = %+v", st)
	}
	if st.QOSClass != corev1.PodQOSBestEffort {
		t.Errorf("qosClass lost: %q", st.QOSClass)
	}
	conds := map[corev1.PodConditionType]corev1.ConditionStatus{}
	for _, c := range st.Conditions {
		conds[c.Type] = c.Status
	}
	want := map[corev1.PodConditionType]corev1.ConditionStatus{
		corev1.PodScheduled: "True", corev1.PodReadyToStartContainers: "True", corev1.PodInitialized: "True",
		corev1.ContainersReady: "True", corev1.PodReady: "True",
	}
	if diff := cmp.Diff(want, conds); diff != "" {
		t.Errorf("conditions (-want +got):\n%s", diff)
	}
	if len(st.ContainerStatuses) != 2 || !st.ContainerStatuses[1].Ready || st.ContainerStatuses[1].State.Running == nil {
		t.Errorf("container statuses = %+v", st.ContainerStatuses)
	}
	if st.InitContainerStatuses[0].State.Terminated == nil || st.InitContainerStatuses[1].State.Running == nil {
		t.Errorf("init container statuses = %+v", st.InitContainerStatuses)
	}

	// Level-based: applied to a pod that already has it, nothing changes.
	pod.Status = st
	again := runningStatus(pod, "172.30.0.11", []string{"10.250.0.10", "fd00::10"}, "sandbox", start.Add(time.Hour))
	if !equality.Semantic.DeepEqual(st, again) {
		t.Errorf("status not stable:\n%s", cmp.Diff(st, again))
	}
	if got := again.StartTime; !got.Equal(&metav1.Time{Time: start}) {
		t.Errorf("startTime = %v, want %v", got, start)
	}
}

func TestNewNetworkStatus(t *testing.T) {
	res := &current.Result{
		CNIVersion: "1.0.0",
		Interfaces: []*current.Interface{
			{Name: "eth0", Mac: "aa:aa:aa:aa:aa:aa"},                              // host side
			{Name: "net1", Mac: "02:00:00:00:00:01", Sandbox: "/var/run/netns/p"}, // pod side
		},
		IPs: []*current.IPConfig{
			{Interface: ptr.To(1), Address: mustCIDR(t, "fd00:250::5/64")},
			{Interface: ptr.To(1), Address: mustCIDR(t, "10.250.0.5/24")},
			{Interface: ptr.To(0), Address: mustCIDR(t, "192.0.2.1/24")},
			{Address: mustCIDR(t, "10.9.9.9/32")},
		},
	}
	res.DNS.Nameservers = []string{"10.96.0.10"}
	got, err := newNetworkStatus(network{Name: "ns/mv", IfName: "net1"}, res)
	if err != nil {
		t.Fatal(err)
	}
	want := &networkStatus{
		Name: "ns/mv", Interface: "net1", Mac: "02:00:00:00:00:01",
		IPs: []string{"fd00:250::5", "10.250.0.5", "10.9.9.9"},
		DNS: dnsStatus{Nameservers: []string{"10.96.0.10"}},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	sb := &sandbox{Attachments: []attachment{{network: network{Default: true}, Status: got}}}
	if ips := podIPs(sb); !cmp.Equal(ips, []string{"10.250.0.5", "10.9.9.9", "fd00:250::5"}) {
		t.Errorf("podIPs = %v, want IPv4 first", ips)
	}
}

func mustCIDR(t *testing.T, s string) net.IPNet {
	t.Helper()
	ip, n, err := net.ParseCIDR(s)
	if err != nil {
		t.Fatal(err)
	}
	n.IP = ip
	return *n
}
