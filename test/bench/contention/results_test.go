// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package contention

import (
	"errors"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/spiderpool-go/spiderpool/test/bench"
)

func key(verb, group, resource, sub, code string) bench.RequestKey {
	return bench.RequestKey{Verb: verb, Group: group, Resource: resource, Subresource: sub, Code: code}
}

func TestSummarise(t *testing.T) {
	before := snapshot{requests: bench.RequestCounts{key("PUT", spiderGroup, "spiderippools", "status", "200"): 5},
		cpu: map[string]float64{"agent-n1": 1, "agent-n2": 2, "kube-apiserver": 10}}
	after := snapshot{
		requests: bench.RequestCounts{
			key("PUT", spiderGroup, "spiderippools", "status", "200"): 9,
			key("PUT", spiderGroup, "spiderippools", "status", "409"): 2,
			key("POST", spiderGroup, "spiderendpoints", "", "201"):    4,
			key("GET", "", "pods", "", "200"):                         3,
			key("PATCH", "coordination.k8s.io", "leases", "", "200"):  1,
		},
		cpu: map[string]float64{"agent-n1": 2, "agent-n2": 4, "kube-apiserver": 14, "etcd": 1},
	}
	outs := []outcome{
		{Wall: 10 * time.Millisecond, CPU: 5 * time.Millisecond},
		{Wall: 30 * time.Millisecond, CPU: 5 * time.Millisecond},
		{Wall: 20 * time.Millisecond, CPU: 5 * time.Millisecond},
		{Wall: 20 * time.Millisecond, CPU: 5 * time.Millisecond},
		{Err: "code 11: agent down"},
	}
	r := summarise("ADD", outs, 2*time.Second, before, after)
	if r.OK != 4 || r.Failures != 1 || len(r.FirstErrors) != 1 || r.OpsPerSecond != 2 {
		t.Errorf("ok %d, failures %d %v, ops/s %v", r.OK, r.Failures, r.FirstErrors, r.OpsPerSecond)
	}
	if r.Latency.P50 != 20 || r.Latency.P99 != 30 {
		t.Errorf("latency %+v", r.Latency)
	}
	want := APIFigures{Requests: 14, SpiderRequests: 10, PoolWrites: 4, PoolConflicts: 2, EndpointCreates: 4, Conflicts: 2, Gets: 3}
	if r.API != want {
		t.Errorf("API %+v, want %+v", r.API, want)
	}
	if r.PerAllocation.PoolWrites != 1 || r.PerAllocation.PoolConflicts != 0.5 {
		t.Errorf("per allocation %+v", r.PerAllocation)
	}
	// 4 OK calls: 1,000 / 4 = 250 times the phase's seconds.
	if r.CPUPer1000["agents"] != 750 || r.CPUPer1000["kube-apiserver"] != 1000 || r.CPUPer1000["plugin"] != 5 {
		t.Errorf("CPU per 1,000 %v", r.CPUPer1000)
	}
	if _, ok := r.CPUPer1000["etcd"]; ok {
		t.Error("a process absent before the phase has a CPU figure")
	}
	md := Markdown(&Results{Runs: []RunResult{{Build: "current", ControllerGC: true, Scenario: Scenario{Name: "shared-v4"}, Phases: []PhaseResult{r}}}})
	for _, s := range []string{"| current | shared-v4 | ADD | 4 / 5 |", "agent-n1 | agent-n2", "code 11: agent down"} {
		if !strings.Contains(md, s) {
			t.Errorf("markdown lacks %q:\n%s", s, md)
		}
	}
}

func TestCheckAddresses(t *testing.T) {
	r := &scenarioRun{s: Scenario{DualStack: true}}
	outs := []outcome{
		{IPs: []string{"10.254.0.2/16", "fd00:254::2/64"}},
		{IPs: []string{"10.254.0.2/16", "fd00:254::3/64"}},
		{IPs: []string{"10.254.0.4/16"}},
		{Err: "failed"},
	}
	if dups := r.checkAddresses(outs); dups != 1 {
		t.Errorf("duplicates %d, want 1", dups)
	}
	if outs[0].Err != "" || outs[1].Err != "" || !strings.Contains(outs[2].Err, "every family") || outs[3].Err != "failed" {
		t.Errorf("errors %q", []string{outs[0].Err, outs[1].Err, outs[2].Err, outs[3].Err})
	}
}

func TestPluginOutput(t *testing.T) {
	ips, e := resultIPs([]byte(`{"cniVersion":"1.1.0","ips":[{"address":"10.254.0.2/16","gateway":"10.254.0.1"}]}`))
	if e != "" || len(ips) != 1 || ips[0] != "10.254.0.2/16" {
		t.Errorf("resultIPs = %v, %q", ips, e)
	}
	if _, e := resultIPs([]byte("nope")); e == "" {
		t.Error("a result that is not JSON was accepted")
	}
	exit := &exec.ExitError{}
	if got := callError(exit, []byte(`{"code":11,"msg":"agent unreachable","details":"dial"}`), nil); got != "code 11: agent unreachable dial" {
		t.Errorf("callError = %q", got)
	}
	if got := callError(errors.New("exit status 2"), nil, []byte("panic\n")); got != "exit status 2: panic" {
		t.Errorf("callError = %q", got)
	}
}
