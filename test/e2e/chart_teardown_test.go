// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package e2e

import (
	"os"
	"testing"
	"time"
)

// TestChartLabDownStopsPodProcesses: taking a chart-mode lab down without
// uninstalling the release stops the processes the node simulator runs for
// the chart's pods, with the simulator, and leaves no node root link.
func TestChartLabDownStopsPodProcesses(t *testing.T) {
	ctx := testContext(t, 5*time.Minute)
	l, _ := upChartLab(t, ctx, "d", 1)
	before := podProcesses(l)
	if len(before) < 2 {
		t.Fatalf("pod processes before down: %v; want the agent and the controller", before)
	}
	if err := l.Down(ctx); err != nil {
		t.Fatalf("down: %v", err)
	}
	for _, pid := range before {
		if processExists(pid, 5*time.Second) {
			t.Errorf("pod process %d still exists after down", pid)
		}
	}
	for _, n := range l.Nodes {
		if _, err := os.Lstat(n.RootFS()); !os.IsNotExist(err) {
			t.Errorf("root dir link %s of %s left after down (lstat err %v)", n.RootFS(), n.Name, err)
		}
	}
}
