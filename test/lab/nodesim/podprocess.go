// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package nodesim

import (
	"context"
	"fmt"
	"maps"
	"os"

	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// PodProcess is how the pod runner would run one container of a pod, for a
// caller that runs and supervises the process itself.
type PodProcess struct {
	// Path is the HostBinDir binary; Args are its arguments, container
	// paths translated.
	Path string
	Args []string
	// Env is PATH, HOME and KUBECONFIG, then the container's environment.
	Env []string
	// PostStart is the container's exec postStart hook, binary first (as
	// postStartHook finds it); nil for none.
	PostStart []string
}

// PlanPodProcess lays pod out as the pod runner lays out the pods it runs,
// for a pod no simulator runs: the lab runs the chart's agent on its
// kubelet node from the DaemonSet's pod template. Volumes go under
// cfg.RootFS (hostPath) or dir, ConfigMap files and the environment have
// container paths translated, the *_PORT variables named in ports get those
// ports (the others free loopback ports, as in a DaemonSet pod), and
// kubeconfig is KUBECONFIG. It returns the pod's first container whose
// command names a binary of cfg.HostBinDir.
func PlanPodProcess(ctx context.Context, cfg Config, reader client.Reader, pod *corev1.Pod, dir, kubeconfig string, ports map[string]int) (PodProcess, error) {
	r := &podRunner{cfg: cfg, source: volumeSource{reader: reader}}
	pm, err := withFreePorts(pod, ports)
	if err != nil {
		return PodProcess{}, err
	}
	dirs := volumeDirs(pod, cfg.RootFS, dir)
	if err := r.source.materialize(ctx, pod, dirs, volumePaths(pod, dirs)); err != nil {
		return PodProcess{}, err
	}
	for i := range pod.Spec.Containers {
		c := &pod.Spec.Containers[i]
		bin, ok := r.containerBinary(c)
		if !ok {
			continue
		}
		paths := containerPaths(c, dirs)
		env, err := r.source.containerEnv(ctx, pod, c, paths, pm)
		if err != nil {
			return PodProcess{}, err
		}
		p := PodProcess{
			Path: bin, Args: containerArgs(c, paths),
			Env: append([]string{"PATH=" + os.Getenv("PATH"), "HOME=" + dir, "KUBECONFIG=" + kubeconfig}, env...),
		}
		if h := r.postStartHook(c, paths); h != nil {
			p.PostStart = append([]string{h.path}, h.args...)
		}
		return p, nil
	}
	return PodProcess{}, fmt.Errorf("pod %s/%s: no container's command names a binary of HostBinDir %s: build the project's binaries into it",
		pod.Namespace, pod.Name, cfg.HostBinDir)
}

// containerArgs is c's command after the binary, then its args, container
// paths translated.
func containerArgs(c *corev1.Container, paths pathMap) []string {
	args := make([]string, 0, len(c.Command)+len(c.Args))
	for _, a := range append(append([]string{}, c.Command[1:]...), c.Args...) {
		args = append(args, paths.translate(a))
	}
	return args
}

// withFreePorts is ports plus a free loopback port for every other *_PORT
// variable of pod.
func withFreePorts(pod *corev1.Pod, ports map[string]int) (portMap, error) {
	var others []string
	for _, name := range portVars(pod) {
		if _, ok := ports[name]; !ok {
			others = append(others, name)
		}
	}
	pm, err := allocatePorts(others)
	if err != nil {
		return nil, err
	}
	maps.Copy(pm, ports)
	return pm, nil
}
