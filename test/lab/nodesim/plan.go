// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package nodesim

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// prepare lays out a pod for its processes: ports, volumes, kubeconfig and
// one supervised container per container of a known binary.
func (r *podRunner) prepare(ctx context.Context, pod *corev1.Pod) (*runningPod, error) {
	dir := filepath.Join(r.cfg.PodsDir, string(pod.UID))
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("create pod dir: %w", err)
	}
	ports, err := r.ports(ctx, pod)
	if err != nil {
		return nil, err
	}
	dirs := volumeDirs(pod, r.cfg.RootFS, dir)
	if err := r.source.materialize(ctx, pod, dirs, volumePaths(pod, dirs)); err != nil {
		return nil, err
	}
	token, err := podToken(ctx, r.client, pod)
	if err != nil {
		return nil, err
	}
	kubeconfig := filepath.Join(dir, "kubeconfig")
	if err := writeKubeconfig(kubeconfig, r.rest, token); err != nil {
		return nil, err
	}
	key := types.NamespacedName{Namespace: pod.Namespace, Name: pod.Name}
	rp := &runningPod{key: key, dir: dir, started: time.Now(), containers: map[string]*container{}}
	base := []string{"PATH=" + os.Getenv("PATH"), "HOME=" + dir, "KUBECONFIG=" + kubeconfig}
	for i := range pod.Spec.Containers {
		c := &pod.Spec.Containers[i]
		spec, ok, err := r.containerSpec(ctx, pod, c, dirs, ports, base)
		if err != nil {
			return nil, err
		}
		if ok {
			rp.containers[c.Name] = newContainer(spec, r.spawn, restartsOf(pod, c.Name), r.wake(key))
		}
	}
	return rp, nil
}

// containerSpec is how container c of pod runs, or false if its binary is
// not one the runner knows.
func (r *podRunner) containerSpec(ctx context.Context, pod *corev1.Pod, c *corev1.Container, dirs map[string]string, ports portMap, base []string) (containerSpec, bool, error) {
	bin, ok := r.containerBinary(c)
	if !ok {
		return containerSpec{}, false, nil
	}
	paths := containerPaths(c, dirs)
	env, err := r.source.containerEnv(ctx, pod, c, paths, ports)
	if err != nil {
		return containerSpec{}, false, err
	}
	args := containerArgs(c, paths)
	probe, period := probeURL(c, ports.byValue(c))
	spec := containerSpec{
		name: c.Name, path: bin, args: args, env: append(append([]string{}, base...), env...),
		log:   filepath.Join(r.cfg.LogDir, fmt.Sprintf("pod-%s-%s.log", pod.Namespace, pod.Name)),
		probe: probe, probePeriod: period, restart: pod.Spec.RestartPolicy,
		postStart: r.postStartHook(c, paths),
	}
	if err := os.MkdirAll(r.cfg.LogDir, 0o755); err != nil {
		return containerSpec{}, false, fmt.Errorf("create log dir: %w", err)
	}
	return spec, true, nil
}

// volumePaths gives each volume the path map of the first container that
// mounts it: ConfigMap files are translated with it.
func volumePaths(pod *corev1.Pod, dirs map[string]string) map[string]pathMap {
	out := map[string]pathMap{}
	for i := range pod.Spec.Containers {
		c := &pod.Spec.Containers[i]
		for _, vm := range c.VolumeMounts {
			if _, done := out[vm.Name]; !done {
				out[vm.Name] = containerPaths(c, dirs)
			}
		}
	}
	return out
}

// ports returns the pod's port map: the one recorded in AnnotationPorts, or
// new free ports recorded there, for a DaemonSet pod; nil for others.
func (r *podRunner) ports(ctx context.Context, pod *corev1.Pod) (portMap, error) {
	if !remapsPorts(pod) {
		return nil, nil
	}
	if s, ok := pod.Annotations[AnnotationPorts]; ok {
		return parsePorts(s)
	}
	pm, err := allocatePorts(portVars(pod))
	if err != nil {
		return nil, err
	}
	data, err := json.Marshal(pm)
	if err != nil {
		return nil, fmt.Errorf("encode ports: %w", err)
	}
	orig := pod.DeepCopy()
	if pod.Annotations == nil {
		pod.Annotations = map[string]string{}
	}
	pod.Annotations[AnnotationPorts] = string(data)
	if err := r.client.Patch(ctx, pod, client.MergeFrom(orig)); err != nil {
		return nil, fmt.Errorf("record ports on the pod: %w", err)
	}
	return pm, nil
}

// restartsOf is the restart count the pod reports for a container, so that
// a restarted simulator keeps counting.
func restartsOf(pod *corev1.Pod, name string) int32 {
	for _, s := range pod.Status.ContainerStatuses {
		if s.Name == name {
			return s.RestartCount
		}
	}
	return 0
}
