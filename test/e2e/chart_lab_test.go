// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/spiderpool-go/spiderpool/test/lab"
	"github.com/spiderpool-go/spiderpool/test/lab/nodesim"
)

// Component labels the chart puts on its pods.
const (
	componentLabel = "app.kubernetes.io/component"
	agentComponent = "spiderpool-agent"
	ctrlComponent  = "spiderpool-controller"
)

// upChartLab brings up a lab of nodes nodes in chart mode (helm install of
// charts/spiderpool), named after the shared lab plus suffix, and tears it
// down at the end of the test. A missing chart or helm fails the test.
// Each of with changes the options before the lab comes up.
func upChartLab(t *testing.T, ctx context.Context, suffix string, nodes int, with ...func(*lab.Options)) (*lab.Lab, client.Client) {
	t.Helper()
	base := shared.opts
	if _, err := os.Stat(filepath.Join(base.Chart, "Chart.yaml")); err != nil {
		t.Fatalf("chart missing: %v", err)
	}
	if _, err := os.Stat(base.HelmBinary); err != nil {
		t.Fatalf("helm missing (make tools): %v", err)
	}
	// A short dir: the agents' sockets live under it and must fit 108 bytes.
	dir, err := os.MkdirTemp("", "splab-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if t.Failed() { // a lab that did not come up keeps its process logs there
			t.Logf("lab dir kept for diagnosis: %s", dir)
			return
		}
		_ = os.RemoveAll(dir)
	})
	opts := lab.Options{
		Name: base.Name + suffix, Dir: filepath.Join(dir, "lab"), Nodes: nodes,
		K8sBinDir: base.K8sBinDir, CNIBinDirs: base.CNIBinDirs, LabBinary: base.LabBinary,
		Chart: base.Chart, HelmBinary: base.HelmBinary, HostBinDir: base.HostBinDir, Progress: os.Stderr,
	}
	for _, f := range with {
		f(&opts)
	}
	start := time.Now()
	l, c := upOwnLab(t, ctx, opts)
	t.Logf("chart-mode lab (%d nodes, helm install --wait) up in %.1fs", nodes, time.Since(start).Seconds())
	return l, c
}

// chartPods lists the release's pods of one component, not terminating.
func chartPods(ctx context.Context, c client.Client, component string) ([]corev1.Pod, error) {
	list := &corev1.PodList{}
	if err := c.List(ctx, list, client.InNamespace(lab.ReleaseNamespace), client.MatchingLabels{componentLabel: component}); err != nil {
		return nil, fmt.Errorf("list %s pods: %w", component, err)
	}
	var out []corev1.Pod
	for _, p := range list.Items {
		if p.DeletionTimestamp == nil {
			out = append(out, p)
		}
	}
	return out, nil
}

// waitReadyPods waits for want Ready pods of component, none of them in
// old (pods replaced by an upgrade), and returns them.
func waitReadyPods(t *testing.T, ctx context.Context, c client.Client, component string, want int, old map[string]bool) []corev1.Pod {
	t.Helper()
	var pods []corev1.Pod
	err := wait.PollUntilContextCancel(ctx, 500*time.Millisecond, true, func(ctx context.Context) (bool, error) {
		all, err := chartPods(ctx, c, component)
		if err != nil {
			return false, nil //nolint:nilerr // transient: keep polling
		}
		pods = pods[:0]
		for _, p := range all {
			if podReady(p) && !old[string(p.UID)] {
				pods = append(pods, p)
			}
		}
		return len(pods) == want && len(all) == want, nil
	})
	if err != nil {
		t.Fatalf("%d Ready %s pods: got %d: %v", want, component, len(pods), err)
	}
	return pods
}

func podReady(p corev1.Pod) bool {
	for _, c := range p.Status.Conditions {
		if c.Type == corev1.PodReady {
			return c.Status == corev1.ConditionTrue && p.Status.Phase == corev1.PodRunning
		}
	}
	return false
}

func uids(pods []corev1.Pod) map[string]bool {
	out := map[string]bool{}
	for _, p := range pods {
		out[string(p.UID)] = true
	}
	return out
}

// assertAgentProbes checks that each agent pod records its remapped ports
// and answers its readiness probe on the recorded health port.
func assertAgentProbes(t *testing.T, ctx context.Context, agents []corev1.Pod) {
	t.Helper()
	for _, p := range agents {
		raw := p.Annotations[nodesim.AnnotationPorts]
		ports := map[string]int{}
		port := 0
		if err := json.Unmarshal([]byte(raw), &ports); err == nil {
			port = ports["SPIDERPOOL_HEALTH_PORT"]
		}
		if port == 0 {
			t.Errorf("agent %s: no health port in %s=%q", p.Name, nodesim.AnnotationPorts, raw)
			continue
		}
		url := "http://127.0.0.1:" + strconv.Itoa(port) + "/v1/runtime/readiness"
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Errorf("agent %s readiness %s: %v", p.Name, url, err)
			continue
		}
		_ = resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Errorf("agent %s readiness %s: status %d", p.Name, url, resp.StatusCode)
		}
	}
}

// podProcesses lists the PIDs of processes run for the pods of lab l: their
// command lines name files under the lab's node dirs.
func podProcesses(l *lab.Lab) []int {
	entries, _ := os.ReadDir("/proc")
	marker := []byte(filepath.Join(l.Dir, "nodes") + "/")
	var pids []int
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		cmdline, err := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline"))
		if err == nil && bytes.Contains(cmdline, marker) {
			pids = append(pids, pid)
		}
	}
	return pids
}
