// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package chart_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/spiderpool-go/spiderpool/internal/agent"
	"github.com/spiderpool-go/spiderpool/internal/plugininstall"
)

// TestAgentInstallsPlugins: the agent container's postStart hook runs
// "spiderpool-agent install-plugins" into the writable mount of the host's
// CNI bin dir (global.cniBinHostPath), with flags the agent accepts and
// defaults that install Spiderpool's three plugins (docs/chart.md, "CNI
// plugin installation").
func TestAgentInstallsPlugins(t *testing.T) {
	e := newChartEnv(t)
	for _, hostDir := range []string{"/opt/cni/bin", "/usr/libexec/cni"} {
		objs := e.template(t, with("global.cniBinHostPath", hostDir, "spiderpoolAgent.binName", "/bin/agent"))
		pod := objs.daemonSet(t, "spiderpool-agent").Spec.Template.Spec
		c := pod.Containers[0]
		if c.Lifecycle == nil || c.Lifecycle.PostStart == nil || c.Lifecycle.PostStart.Exec == nil {
			t.Fatalf("cniBinHostPath %s: no postStart exec hook: %+v", hostDir, c.Lifecycle)
		}
		command := c.Lifecycle.PostStart.Exec.Command
		want := []string{"/bin/agent", "install-plugins", "--cni-bin-dir=" + agent.DefaultCNIBinDir}
		if diff := cmp.Diff(want, command); diff != "" {
			t.Errorf("postStart command (-want +got):\n%s", diff)
		}
		checkHostPath(t, pod, agent.DefaultCNIBinDir, hostDir, false)
		if len(pod.InitContainers) != 0 {
			t.Errorf("init containers %v: the hook alone installs the plugins", pod.InitContainers)
		}
		checkHookParses(t, command[1:])
	}
}

// checkHookParses parses the hook's arguments with the agent's own command.
func checkHookParses(t *testing.T, args []string) {
	t.Helper()
	cmd, rest, err := agent.NewCommand().Find(args)
	if err != nil || cmd.Name() != "install-plugins" {
		t.Fatalf("the agent has no subcommand %v: %v", args, err)
	}
	if err := cmd.ParseFlags(rest); err != nil {
		t.Fatalf("the agent rejects the hook's flags %v: %v", rest, err)
	}
	plugins, err := cmd.Flags().GetStringSlice("plugins")
	if err != nil || !cmp.Equal(plugins, plugininstall.DefaultPlugins) {
		t.Errorf("plugins = %v, %v; want %v", plugins, err, plugininstall.DefaultPlugins)
	}
	if dir, _ := cmd.Flags().GetString("cni-bin-dir"); dir != agent.DefaultCNIBinDir {
		t.Errorf("cni-bin-dir = %q, want %q", dir, agent.DefaultCNIBinDir)
	}
}
