// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package crd_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	nadv1 "github.com/spiderpool-go/spiderpool/api/k8scni/v1"
	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
)

// kubectl runs the kubectl of the testbin dir against the envtest server
// and returns its stdout.
func kubectl(t *testing.T, args ...string) string {
	t.Helper()
	bin := filepath.Join(env.assets, "kubectl")
	if _, err := os.Stat(bin); err != nil {
		t.Fatalf("kubectl not in the assets dir (hack/testbin.sh builds it): %v", err)
	}
	args = append([]string{"--kubeconfig", env.kubeconfig, "--cache-dir", filepath.Join(env.tmp, "kube-cache")}, args...)
	cmd := exec.CommandContext(t.Context(), bin, args...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("kubectl %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
	}
	return string(out)
}

// table splits kubectl's table output into rows of whitespace-separated
// fields; it works because no cell used here contains a space.
func table(out string) [][]string {
	var rows [][]string
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		rows = append(rows, strings.Fields(line))
	}
	return rows
}

// kubectlFixtures creates one object of each kind for the kubectl tests.
func kubectlFixtures(t *testing.T, ns string) {
	t.Helper()
	var pool spiderpoolv2beta1.SpiderIPPool
	p := newIPPool("kubectl-pool")
	p.Spec.NodeName, p.Spec.MultusName = []string{"node1"}, []string{"kube-system/macvlan"}
	p.Spec.PodAffinity = &metav1.LabelSelector{MatchLabels: map[string]string{spiderpoolv2beta1.AppLabelNamespace: "default"}}
	create(t, p, &pool)
	pool.Status.TotalIPCount, pool.Status.AllocatedIPCount = ptrTo[int64](11), ptrTo[int64](0)
	if err := env.client.Status().Update(t.Context(), &pool); err != nil {
		t.Fatal(err)
	}
	var subnet spiderpoolv2beta1.SpiderSubnet
	create(t, newSubnet("kubectl-subnet"), &subnet)
	subnet.Status.TotalIPCount, subnet.Status.AllocatedIPCount = ptrTo[int64](17), ptrTo[int64](3)
	if err := env.client.Status().Update(t.Context(), &subnet); err != nil {
		t.Fatal(err)
	}
	create(t, newReservedIP("kubectl-reserved"), &spiderpoolv2beta1.SpiderReservedIP{})
	create(t, newEndpoint(ns, "kubectl-pod"), &spiderpoolv2beta1.SpiderEndpoint{})
	create(t, newMultusConfig(ns, "kubectl-smc"), &spiderpoolv2beta1.SpiderMultusConfig{})
	create(t, newCoordinator("kubectl-scc"), &spiderpoolv2beta1.SpiderCoordinator{})
	nad := &nadv1.NetworkAttachmentDefinition{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "kubectl-nad"}}
	create(t, nad, &nadv1.NetworkAttachmentDefinition{})
}

// TestKubectl checks short names, printer columns and the category through
// the real kubectl.
func TestKubectl(t *testing.T) {
	ns := namespace(t, "crd-kubectl")
	kubectlFixtures(t, ns)
	t.Run("columns", func(t *testing.T) { testKubectlColumns(t, ns) })
	t.Run("category", testKubectlCategory)
}

func testKubectlColumns(t *testing.T, ns string) {
	tests := []struct {
		args   []string
		header []string
		row    []string // "" matches any cell (AGE)
	}{
		{
			args:   []string{"get", "sp", "kubectl-pool"},
			header: []string{"NAME", "VERSION", "SUBNET", "ALLOCATED-IP-COUNT", "TOTAL-IP-COUNT", "DEFAULT"},
			row:    []string{"kubectl-pool", "4", "10.6.0.0/16", "0", "11", "false"},
		},
		{
			args: []string{"get", "sp", "kubectl-pool", "-o", "wide"},
			header: []string{"NAME", "VERSION", "SUBNET", "ALLOCATED-IP-COUNT", "TOTAL-IP-COUNT", "DEFAULT",
				"DISABLE", "NODENAME", "MULTUSNAME", "APP-NAMESPACE"},
			row: []string{"kubectl-pool", "4", "10.6.0.0/16", "0", "11", "false",
				"false", `["node1"]`, `["kube-system/macvlan"]`, "default"},
		},
		{
			args:   []string{"get", "ss", "kubectl-subnet"},
			header: []string{"NAME", "VERSION", "SUBNET", "ALLOCATED-IP-COUNT", "TOTAL-IP-COUNT"},
			row:    []string{"kubectl-subnet", "6", "fd00::/64", "3", "17"},
		},
		{
			args:   []string{"get", "sr", "kubectl-reserved"},
			header: []string{"NAME", "VERSION"},
			row:    []string{"kubectl-reserved", "4"},
		},
		{
			args:   []string{"get", "se", "-n", ns, "kubectl-pod"},
			header: []string{"NAME", "INTERFACE", "IPV4POOL", "IPV4", "IPV6POOL", "IPV6", "NODE"},
			row:    []string{"kubectl-pod", "eth0", "default-v4-ippool", "10.6.0.10/16", "default-v6-ippool", "fd00::10/64", "worker1"},
		},
		{args: []string{"get", "smc", "-n", ns, "kubectl-smc"}, header: []string{"NAME", "AGE"}, row: []string{"kubectl-smc", ""}},
		{args: []string{"get", "scc", "kubectl-scc"}, header: []string{"NAME", "AGE"}, row: []string{"kubectl-scc", ""}},
		{args: []string{"get", "net-attach-def", "-n", ns, "kubectl-nad"}, header: []string{"NAME", "AGE"}, row: []string{"kubectl-nad", ""}},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			rows := table(kubectl(t, tt.args...))
			if len(rows) != 2 {
				t.Fatalf("want a header and one row, got %q", rows)
			}
			if diff := cmp.Diff(tt.header, rows[0]); diff != "" {
				t.Errorf("header (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.row, rows[1], cmp.Comparer(cellMatch)); diff != "" {
				t.Errorf("row (-want +got):\n%s", diff)
			}
		})
	}
}

// cellMatch treats an empty expected cell as a wildcard.
func cellMatch(a, b string) bool { return a == "" || b == "" || a == b }

// testKubectlCategory lists every kind through the spiderpool category.
func testKubectlCategory(t *testing.T) {
	out := kubectl(t, "get", "spiderpool", "-A", "-o", "name")
	for _, want := range []string{
		"spiderippool.spiderpool.spidernet.io/kubectl-pool",
		"spidersubnet.spiderpool.spidernet.io/kubectl-subnet",
		"spiderreservedip.spiderpool.spidernet.io/kubectl-reserved",
		"spiderendpoint.spiderpool.spidernet.io/kubectl-pod",
		"spidermultusconfig.spiderpool.spidernet.io/kubectl-smc",
		"spidercoordinator.spiderpool.spidernet.io/kubectl-scc",
	} {
		if !strings.Contains(out, want+"\n") {
			t.Errorf("kubectl get spiderpool -A lacks %s:\n%s", want, out)
		}
	}
}
