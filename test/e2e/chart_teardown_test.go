// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package e2e

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/spiderpool-go/spiderpool/test/lab"
)

// TestChartLabDownStopsPodProcesses: taking a chart-mode lab down without
// uninstalling the release stops the processes the node simulator runs for
// the chart's pods, with the simulator, and leaves no node root link.
func TestChartLabDownStopsPodProcesses(t *testing.T) {
	ctx := testContext(t, 5*time.Minute)
	l, c := upChartLab(t, ctx, "d", 1)
	before := agentAndControllerProcesses(t, ctx, l, c)
	if err := l.Down(ctx); err != nil {
		t.Fatalf("down: %v", err)
	}
	for _, pid := range before {
		if processExists(pid, 5*time.Second) {
			t.Errorf("pod process %d still exists after down: %s", pid, describeProcess(pid))
		}
	}
	for _, n := range l.Nodes {
		if _, err := os.Lstat(n.RootFS()); !os.IsNotExist(err) {
			t.Errorf("root dir link %s of %s left after down (lstat err %v)", n.RootFS(), n.Name, err)
		}
	}
}

// agentAndControllerProcesses waits until the lab runs processes for at
// least two pods (the agent and the controller) and returns them. Helm's
// --wait has seen both Ready, but a container may be between restarts at
// any moment; a minute without both fails the test with their statuses.
func agentAndControllerProcesses(t *testing.T, ctx context.Context, l *lab.Lab, c client.Client) []int {
	t.Helper()
	var pids []int
	err := wait.PollUntilContextTimeout(ctx, 250*time.Millisecond, time.Minute, true, func(context.Context) (bool, error) {
		pids = podProcesses(l)
		return len(pids) >= 2, nil
	})
	if err != nil {
		var lines []string
		for _, pid := range pids {
			lines = append(lines, describeProcess(pid))
		}
		for _, comp := range []string{agentComponent, ctrlComponent} {
			pods, lerr := chartPods(ctx, c, comp)
			lines = append(lines, comp+": "+podStatuses(pods, lerr))
		}
		t.Fatalf("pod processes before down: %v; want the agent's and the controller's:\n%s", pids, strings.Join(lines, "\n"))
	}
	return pids
}

// describeProcess is pid's state line and command line, for a failure.
func describeProcess(pid int) string {
	dir := filepath.Join("/proc", strconv.Itoa(pid))
	status, _ := os.ReadFile(filepath.Join(dir, "status"))
	state := ""
	for _, line := range strings.Split(string(status), "\n") {
		if strings.HasPrefix(line, "State:") || strings.HasPrefix(line, "PPid:") {
			state += strings.Join(strings.Fields(line), " ") + " "
		}
	}
	cmdline, _ := os.ReadFile(filepath.Join(dir, "cmdline"))
	return strconv.Itoa(pid) + " " + state + strings.ReplaceAll(string(cmdline), "\x00", " ")
}

// podStatuses is each pod's phase and its containers' restart counts and
// last terminations, for a failure.
func podStatuses(pods []corev1.Pod, err error) string {
	if err != nil {
		return err.Error()
	}
	var parts []string
	for _, p := range pods {
		part := fmt.Sprintf("%s %s", p.Name, p.Status.Phase)
		for _, cs := range p.Status.ContainerStatuses {
			part += fmt.Sprintf(" [%s ready=%t restarts=%d", cs.Name, cs.Ready, cs.RestartCount)
			if term := cs.LastTerminationState.Terminated; term != nil {
				part += fmt.Sprintf(" last exit %d at %s", term.ExitCode, term.FinishedAt.Format(time.TimeOnly))
			}
			part += "]"
		}
		parts = append(parts, part)
	}
	return fmt.Sprintf("%d pods: %s", len(pods), strings.Join(parts, "; "))
}
