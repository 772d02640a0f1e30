// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package nodesim

import (
	"context"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/wait"
)

// TestMain lets the test binary be the tiny program the runner tests run:
// with NODESIM_TEST_CHILD set it acts as a child instead of running tests.
func TestMain(m *testing.M) {
	if mode := os.Getenv("NODESIM_TEST_CHILD"); mode != "" {
		os.Exit(childMain(mode))
	}
	os.Exit(m.Run())
}

// childMain: "exit:N" exits N; "serve" answers /ready on $PORT until
// SIGTERM; "stubborn" ignores SIGTERM.
func childMain(mode string) int {
	switch {
	case strings.HasPrefix(mode, "exit:"):
		code, _ := strconv.Atoi(strings.TrimPrefix(mode, "exit:"))
		return code
	case mode == "serve":
		l, err := net.Listen("tcp", "127.0.0.1:"+os.Getenv("PORT"))
		if err != nil {
			return 2
		}
		go http.Serve(l, http.HandlerFunc(func(http.ResponseWriter, *http.Request) {})) //nolint:gosec // test child: no timeouts needed
		term := make(chan os.Signal, 1)
		signal.Notify(term, syscall.SIGTERM)
		<-term
		return 0
	case mode == "stubborn":
		signal.Ignore(syscall.SIGTERM)
		time.Sleep(time.Hour)
	}
	return 1
}

func childSpec(t *testing.T, mode string, restart corev1.RestartPolicy, env ...string) containerSpec {
	t.Helper()
	return containerSpec{
		name: "c", path: os.Args[0], args: []string{"-test.run=^$"},
		env: append([]string{"NODESIM_TEST_CHILD=" + mode}, env...), log: filepath.Join(t.TempDir(), "c.log"),
		restart: restart,
	}
}

func startContainer(t *testing.T, spec containerSpec) (*container, *atomic.Int32) {
	t.Helper()
	var notified atomic.Int32
	c := newContainer(spec, newSpawner(), 0, func() { notified.Add(1) })
	c.backoff = func(int32) time.Duration { return 10 * time.Millisecond }
	go c.run()
	t.Cleanup(func() { c.terminate(context.WithoutCancel(t.Context()), time.Second) })
	return c, &notified
}

func waitState(t *testing.T, c *container, what string, cond func(containerState) bool) containerState {
	t.Helper()
	var last containerState
	err := wait.PollUntilContextTimeout(t.Context(), 20*time.Millisecond, 30*time.Second, true, func(context.Context) (bool, error) {
		last = c.snapshot()
		return cond(last), nil
	})
	if err != nil {
		t.Fatalf("container never %s; last state %+v", what, last)
	}
	return last
}

func TestContainerExitsForGood(t *testing.T) {
	tests := []struct {
		mode      string
		restart   corev1.RestartPolicy
		wantCode  int
		wantPhase corev1.PodPhase
	}{
		{"exit:3", corev1.RestartPolicyNever, 3, corev1.PodFailed},
		{"exit:0", corev1.RestartPolicyNever, 0, corev1.PodSucceeded},
		{"exit:0", corev1.RestartPolicyOnFailure, 0, corev1.PodSucceeded},
	}
	for _, tt := range tests {
		t.Run(tt.mode+"/"+string(tt.restart), func(t *testing.T) {
			c, notified := startContainer(t, childSpec(t, tt.mode, tt.restart))
			s := waitState(t, c, "exited", func(s containerState) bool { return s.exited })
			if s.exitCode != tt.wantCode || s.restarts != 0 {
				t.Errorf("state %+v; want exit code %d and no restart", s, tt.wantCode)
			}
			if notified.Load() < 2 {
				t.Errorf("notified %d times; want start and exit", notified.Load())
			}
			pod := &corev1.Pod{Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "c"}}}}
			st := processStatus(pod, "172.30.0.11", map[string]containerState{"c": s}, time.Now())
			if st.Phase != tt.wantPhase {
				t.Errorf("phase %s, want %s", st.Phase, tt.wantPhase)
			}
		})
	}
}

func TestContainerRestartsAlways(t *testing.T) {
	c, _ := startContainer(t, childSpec(t, "exit:1", corev1.RestartPolicyAlways))
	s := waitState(t, c, "restarted twice", func(s containerState) bool { return s.restarts >= 2 })
	if s.exited {
		t.Errorf("state %+v: an Always container never exits for good", s)
	}
	pod := &corev1.Pod{Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "c"}}}}
	st := processStatus(pod, "172.30.0.11", map[string]containerState{"c": s}, time.Now())
	// Without a probe a container is ready while it runs (as with kubelet),
	// so Ready follows the sampled state: true between two crashes.
	if st.Phase != corev1.PodRunning || st.ContainerStatuses[0].RestartCount < 2 || st.ContainerStatuses[0].Ready != s.ready {
		t.Errorf("status %+v; want Running, restarts counted, Ready = %v as sampled", st, s.ready)
	}
}

func TestContainerReadyThenTerminated(t *testing.T) {
	ports, err := allocatePorts([]string{"P"})
	if err != nil {
		t.Fatal(err)
	}
	spec := childSpec(t, "serve", corev1.RestartPolicyAlways, "PORT="+strconv.Itoa(ports["P"]))
	spec.probe, spec.probePeriod = "http://127.0.0.1:"+strconv.Itoa(ports["P"])+"/ready", 50*time.Millisecond
	c, _ := startContainer(t, spec)
	waitState(t, c, "ready", func(s containerState) bool { return s.ready })
	c.mu.Lock()
	pid := c.proc.Pid
	c.mu.Unlock()
	c.terminate(t.Context(), 10*time.Second)
	s := c.snapshot()
	if s.running || s.ready || !s.exited || s.exitCode != 0 {
		t.Errorf("after SIGTERM: state %+v; want exited 0", s)
	}
	if err := syscall.Kill(pid, 0); err == nil {
		t.Errorf("pid %d still exists after terminate", pid)
	}
}

func TestContainerKilledAfterGrace(t *testing.T) {
	c, _ := startContainer(t, childSpec(t, "stubborn", corev1.RestartPolicyAlways))
	waitState(t, c, "running", func(s containerState) bool { return s.running })
	time.Sleep(200 * time.Millisecond) // let the child install its SIGTERM handler
	c.terminate(t.Context(), 100*time.Millisecond)
	if s := c.snapshot(); s.exitCode != 128+int(syscall.SIGKILL) {
		t.Errorf("state %+v; want killed by SIGKILL", s)
	}
}

func TestRunnerHandles(t *testing.T) {
	bin := t.TempDir()
	if err := os.WriteFile(filepath.Join(bin, "spiderpool-agent"), []byte("#!/bin/true\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	r := &podRunner{cfg: Config{HostBinDir: bin}}
	pod := func(host bool, cmd ...string) *corev1.Pod {
		return &corev1.Pod{Spec: corev1.PodSpec{HostNetwork: host, Containers: []corev1.Container{{Name: "a", Command: cmd}}}}
	}
	tests := []struct {
		name string
		pod  *corev1.Pod
		want bool
	}{
		{"chart agent", pod(true, "/usr/bin/spiderpool-agent"), true},
		{"not hostNetwork", pod(false, "/usr/bin/spiderpool-agent"), false},
		{"unknown binary", pod(true, "/bin/sleep"), false},
		{"no command", pod(true), false},
	}
	for _, tt := range tests {
		if got := r.handles(tt.pod); got != tt.want {
			t.Errorf("%s: handles = %v, want %v", tt.name, got, tt.want)
		}
	}
	if (&podRunner{}).handles(pod(true, "/usr/bin/spiderpool-agent")) {
		t.Error("a runner without HostBinDir handles a pod")
	}
}
