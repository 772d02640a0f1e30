// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package ipamplugin_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// BenchmarkPluginCPU measures what one `spiderpool` process costs the
// node: the CPU time (user + system, from the process's own rusage) and
// the wall time of an ADD and of a DEL, the plugin called directly as
// macvlan calls its IPAM plugin, against a fake agent (the agent's work
// is not counted). The pod's eth0 is a real macvlan in a real netns, so
// the announcements and probes run as in production:
//   - detection-off: the ConfigMap's detection switches off (gratuitous
//     ARP only);
//   - conflict-v4: enableIPConflictDetection on (ARP probes of the
//     address, nobody answers).
//
// With PLUGIN_CPU_BASELINE naming another build of the plugin (e.g. an
// older commit's), "baseline-detection-off" measures it in the same run,
// for an A/B on a noisy machine. Figures are reported per operation
// (cpu-ms/ADD, cpu-ms/DEL, wall-ms/ADD); make bench writes them to
// _output/bench/micro.txt.
func BenchmarkPluginCPU(b *testing.B) {
	env := newNetnsEnv(b)
	cases := []struct {
		name, binary string
		conflict     bool
	}{{"detection-off", "", false}, {"conflict-v4", "", true}}
	if base := os.Getenv("PLUGIN_CPU_BASELINE"); base != "" {
		cases = append(cases, struct {
			name, binary string
			conflict     bool
		}{"baseline-detection-off", base, false})
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			agent := env.startAgent(b)
			agent.conflictDetection = c.conflict
			p := env.newPod(b, "cpu-"+c.name)
			env.podInterface(b, p)
			conf := pluginConf(b, agent.socket)
			var add, del, wall time.Duration
			b.ResetTimer()
			for range b.N {
				start := time.Now()
				add += env.runPlugin(b, c.binary, "ADD", p, conf)
				wall += time.Since(start)
				del += env.runPlugin(b, c.binary, "DEL", p, conf)
			}
			n := float64(b.N)
			b.ReportMetric(float64(add.Microseconds())/1000/n, "cpu-ms/ADD")
			b.ReportMetric(float64(del.Microseconds())/1000/n, "cpu-ms/DEL")
			b.ReportMetric(float64(wall.Microseconds())/1000/n, "wall-ms/ADD")
		})
	}
}

// podInterface gives pod p an eth0 (macvlan on the node's master, static
// address), as macvlan creates it before it calls its IPAM plugin.
func (e *netnsEnv) podInterface(tb testing.TB, p *pod) {
	tb.Helper()
	list := e.conflist(tb, map[string]any{
		"cniVersion": "1.0.0", "name": "cpu-if",
		"plugins": []any{map[string]any{"type": "macvlan", "master": masterName, "mode": "bridge",
			"ipam": map[string]any{"type": "static", "addresses": []any{map[string]any{"address": "10.250.0.250/24"}}}}},
	})
	if _, err := e.Add(tb, list, p.rt("eth0")); err != nil {
		tb.Fatalf("macvlan eth0: %v", err)
	}
}

// pluginConf is a macvlan network whose IPAM is spiderpool on socket.
func pluginConf(tb testing.TB, socket string) []byte {
	tb.Helper()
	conf, err := json.Marshal(map[string]any{
		"cniVersion": "1.0.0", "name": "cpu", "type": "macvlan", "master": masterName,
		"ipam": map[string]any{"type": "spiderpool", "ipam_unix_socket_path": socket, "default_ipv4_ippool": []string{"v4a"}},
	})
	if err != nil {
		tb.Fatal(err)
	}
	return conf
}

// runPlugin runs the plugin binary (the tree's, when "") once for
// command on p's eth0 and returns the CPU time the process used.
func (e *netnsEnv) runPlugin(tb testing.TB, binary, command string, p *pod, conf []byte) time.Duration {
	tb.Helper()
	if binary == "" {
		binary = filepath.Join(e.bin, "spiderpool")
	}
	cmd := exec.Command(binary)
	cmd.Env = append(os.Environ(), "CNI_COMMAND="+command, "CNI_CONTAINERID="+p.containerID, "CNI_NETNS="+p.ns.Path(),
		"CNI_IFNAME=eth0", "CNI_PATH="+e.bin,
		fmt.Sprintf("CNI_ARGS=IgnoreUnknown=1;K8S_POD_NAMESPACE=default;K8S_POD_NAME=%s;K8S_POD_UID=%s", p.name, p.uid))
	cmd.Stdin = bytes.NewReader(conf)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		tb.Fatalf("%s: %v: %s", command, err, out.String())
	}
	return cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
}
