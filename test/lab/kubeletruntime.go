// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package lab

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/spiderpool-go/spiderpool/internal/cni/netconf"
)

// containerdConfig is containerd 1.6's config: its own root, state and
// socket, the CRI plugin with the lab's sandbox image, the node's net.d
// and the logging wrappers of CNIWrapperDir as its CNI bin dir. restrict_oom_score_adj: the lab runs without CAP_SYS_RESOURCE, so
// runc may not lower a sandbox's oom_score_adj to -998 ("failed to update
// /proc/self/oom_score_adj: Permission denied").
func containerdConfig(k KubeletNode) string {
	return fmt.Sprintf(`version = 2
root = %q
state = %q
[grpc]
  address = %q
[plugins."io.containerd.internal.v1.opt"]
  path = %q
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = %q
  restrict_oom_score_adj = true
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = %q
    conf_dir = %q
    max_conf_num = 1
  [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
    runtime_type = "io.containerd.runc.v2"
`, filepath.Join(k.Dir, "containerd", "root"), filepath.Join(k.Dir, "containerd", "state"), k.ContainerdSocket(),
		filepath.Join(k.Dir, "containerd", "opt"), SandboxImage, k.CNIWrapperDir(), k.CNIConfDir())
}

// startContainerd starts containerd in the node's network namespace, with
// SPIDERPOOL_CNI_ROOT set for the spiderpool plugin it runs, and imports
// the sandbox image.
func (l *Lab) startContainerd(ctx context.Context, k KubeletNode) error {
	cfg := filepath.Join(k.Dir, "containerd.toml")
	if err := os.MkdirAll(filepath.Dir(k.ContainerdSocket()), 0o700); err != nil {
		return fmt.Errorf("create containerd socket dir: %w", err)
	}
	if err := os.WriteFile(cfg, []byte(containerdConfig(k)), 0o644); err != nil {
		return fmt.Errorf("write %s: %w", cfg, err)
	}
	bin, err := exec.LookPath("containerd")
	if err != nil {
		return fmt.Errorf("containerd: %w", err)
	}
	nsenter, err := exec.LookPath("nsenter")
	if err != nil {
		return fmt.Errorf("nsenter: %w", err)
	}
	name := ContainerdProcess(k.Name)
	env := []string{netconf.EnvRoot + "=" + k.RootFS()}
	if err := l.procs.startEnv(name, env, nsenter, "--net="+k.NetNSPath(), bin, "--config", cfg); err != nil {
		return err
	}
	if err := l.procs.renameBinary(name, bin); err != nil {
		return err
	}
	image := filepath.Join(k.Dir, "pause.tar")
	if err := writeSandboxImageFile(image, l.opts.PauseBinary); err != nil {
		return err
	}
	deadline := time.Now().Add(time.Minute)
	for {
		out, err := l.ctr(ctx, k, "images", "import", image)
		if err == nil {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("ctr images import %s (containerd log: %s): %w: %s", image, l.procs.LogFile(name), err, out)
		}
		time.Sleep(250 * time.Millisecond)
	}
}

func writeSandboxImageFile(path, pause string) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("create %s: %w", path, err)
	}
	werr := WriteSandboxImage(f, pause, SandboxImage, WorkloadImage)
	if err := f.Close(); err != nil && werr == nil {
		return fmt.Errorf("close %s: %w", path, err)
	}
	return werr
}

// ctr runs ctr against the node's containerd in the CRI namespace k8s.io.
func (l *Lab) ctr(ctx context.Context, k KubeletNode, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, "ctr", append([]string{"--address", k.ContainerdSocket(), "-n", "k8s.io"}, args...)...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	return strings.TrimSpace(out.String()), err
}

// renameBinary records bin as the executable of a process started through
// a launcher that execs it (nsenter), so running() recognises it.
func (p processes) renameBinary(name, bin string) error {
	data, err := os.ReadFile(p.pidFile(name))
	if err != nil {
		return fmt.Errorf("read the pid of %s: %w", name, err)
	}
	fields := strings.Split(strings.TrimSpace(string(data)), "\n")
	fields = append(fields, "", "")[:3] // pid, executable, start time
	fields[1] = bin
	if err := os.WriteFile(p.pidFile(name), []byte(strings.Join(fields, "\n")+"\n"), 0o644); err != nil {
		return fmt.Errorf("record pid of %s: %w", name, err)
	}
	return nil
}

// kubeletConfig is the KubeletConfiguration: cgroupfs without per-QoS
// cgroups, no swap check, eviction thresholds low enough for a busy shared
// disk, x509 client auth from the lab CA and no authorizer on kubelet's own
// API (it listens on 127.0.0.1 only).
func (l *Lab) kubeletConfig(k KubeletNode) string {
	return fmt.Sprintf(`apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
cgroupDriver: cgroupfs
cgroupsPerQOS: false
enforceNodeAllocatable: []
failSwapOn: false
containerRuntimeEndpoint: unix://%s
address: 127.0.0.1
port: %d
healthzBindAddress: 127.0.0.1
healthzPort: %d
readOnlyPort: 0
authentication:
  anonymous: {enabled: false}
  webhook: {enabled: false}
  x509: {clientCAFile: %s}
authorization: {mode: AlwaysAllow}
resolvConf: %s
podLogsDir: %s
evictionHard: {memory.available: "1Mi", nodefs.available: "1%%", imagefs.available: "1%%", nodefs.inodesFree: "1%%"}
imageGCHighThresholdPercent: 100
imageGCLowThresholdPercent: 99
`, k.ContainerdSocket(), k.Port, k.HealthzPort, l.pki.CACert(), filepath.Join(k.Dir, "resolv.conf"), filepath.Join(k.Dir, "pod-logs"))
}

// startKubelet issues the node's client certificate (system:node:<name> in
// system:nodes, for the Node authorizer) and starts kubelet.
func (l *Lab) startKubelet(k KubeletNode) error {
	certName := "kubelet-" + k.Name
	if err := l.pki.issueClient(certName, "system:node:"+k.Name, "system:nodes"); err != nil {
		return err
	}
	kubeconfig := filepath.Join(k.Dir, "kubelet.kubeconfig")
	if err := l.writeCertKubeconfig(kubeconfig, l.pki.path(certName+".crt"), l.pki.path(certName+".key")); err != nil {
		return err
	}
	files := map[string]string{
		filepath.Join(k.Dir, "kubelet.yaml"): l.kubeletConfig(k),
		filepath.Join(k.Dir, "resolv.conf"):  "nameserver 127.0.0.1\n",
	}
	for path, content := range files {
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			return fmt.Errorf("write %s: %w", path, err)
		}
	}
	return l.procs.start(KubeletProcess(k.Name), filepath.Join(l.K8sBinDir, "kubelet"),
		"--config", filepath.Join(k.Dir, "kubelet.yaml"), "--kubeconfig", kubeconfig,
		"--root-dir", k.KubeletRootDir(), "--cert-dir", filepath.Join(k.Dir, "kubelet-pki"),
		"--hostname-override", k.Name, "--node-labels", KubeletNodeLabel+"=true", "--v", strconv.Itoa(2))
}
