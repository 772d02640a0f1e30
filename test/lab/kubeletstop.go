// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package lab

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"syscall"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// stopKubeletNode takes the kubelet node down before the control plane:
// its pods are deleted while kubelet still runs (so containerd tears their
// sandboxes down through CNI DEL), then kubelet and containerd stop, any
// container left is killed and every mount under the node's dir (kubelet
// bind-mounts its root dir; containerd mounts rootfs and shm) is undone.
func (l *Lab) stopKubeletNode(ctx context.Context) error {
	if l.KubeletNode == nil {
		return nil
	}
	k := *l.KubeletNode
	// No controller may re-create what the drain deletes (a StatefulSet
	// would); Down stops kube-controller-manager anyway.
	errs := []error{l.procs.stop("kube-controller-manager", 30*time.Second)}
	if _, ok := l.procs.running(KubeletProcess(k.Name)); ok {
		errs = append(errs, l.drainKubeletNode(ctx, k.Name))
	}
	errs = append(errs, l.procs.stop(KubeletProcess(k.Name), 30*time.Second))
	if _, ok := l.procs.running(ContainerdProcess(k.Name)); ok {
		errs = append(errs, l.killContainers(ctx, k))
	}
	errs = append(errs, l.procs.stop(ContainerdProcess(k.Name), 30*time.Second))
	errs = append(errs, l.procs.stop(AgentProcess(k.Name), 10*time.Second))
	errs = append(errs, unmountUnder(k.Dir), k.removeRootFSLink())
	return errors.Join(errs...)
}

// drainKubeletNode deletes the pods bound to node and waits up to a minute
// until kubelet has removed them.
func (l *Lab) drainKubeletNode(ctx context.Context, node string) error {
	c, err := l.client()
	if err != nil {
		return err
	}
	onNode := func(ctx context.Context) ([]corev1.Pod, error) {
		pods := &corev1.PodList{}
		if err := c.List(ctx, pods); err != nil {
			return nil, fmt.Errorf("list pods: %w", err)
		}
		return slices.DeleteFunc(pods.Items, func(p corev1.Pod) bool { return p.Spec.NodeName != node }), nil
	}
	pods, err := onNode(ctx)
	if err != nil {
		return err
	}
	for i := range pods {
		if err := c.Delete(ctx, &pods[i], client.GracePeriodSeconds(1)); client.IgnoreNotFound(err) != nil {
			return fmt.Errorf("delete pod %s/%s: %w", pods[i].Namespace, pods[i].Name, err)
		}
	}
	err = wait.PollUntilContextTimeout(ctx, 500*time.Millisecond, time.Minute, true, func(ctx context.Context) (bool, error) {
		left, err := onNode(ctx)
		return err == nil && len(left) == 0, nil //nolint:nilerr // a failed list is retried
	})
	if err != nil {
		return fmt.Errorf("kubelet node %s: pods still there a minute after deletion: %w", node, err)
	}
	return nil
}

// killContainers kills and deletes every task containerd still runs and
// deletes the network namespaces of their sandboxes, which no CNI DEL will
// now tear down.
func (l *Lab) killContainers(ctx context.Context, k KubeletNode) error {
	out, err := l.ctr(ctx, k, "tasks", "list", "-q")
	if err != nil {
		return fmt.Errorf("ctr tasks list: %w: %s", err, out)
	}
	var errs []error
	for _, id := range strings.Fields(out) {
		netns := l.containerNetNS(ctx, k, id)
		if out, err := l.ctr(ctx, k, "tasks", "delete", "--force", id); err != nil {
			errs = append(errs, fmt.Errorf("ctr tasks delete --force %s: %w: %s", id, err, out))
		}
		if name, ok := strings.CutPrefix(netns, "/var/run/netns/"); ok && strings.HasPrefix(name, "cni-") {
			errs = append(errs, ip("netns", "delete", name))
		}
	}
	return errors.Join(errs...)
}

// containerNetNS is the network namespace path in container id's OCI
// spec, empty when it has none of its own or ctr cannot tell.
func (l *Lab) containerNetNS(ctx context.Context, k KubeletNode, id string) string {
	out, err := l.ctr(ctx, k, "containers", "info", id)
	if err != nil {
		return ""
	}
	var info struct {
		Spec struct {
			Linux struct {
				Namespaces []struct{ Type, Path string } `json:"namespaces"`
			} `json:"linux"`
		} `json:"Spec"`
	}
	if json.Unmarshal([]byte(out), &info) != nil {
		return ""
	}
	for _, ns := range info.Spec.Linux.Namespaces {
		if ns.Type == "network" {
			return ns.Path
		}
	}
	return ""
}

// unmountUnder lazily unmounts every mount point under dir, deepest first.
func unmountUnder(dir string) error {
	f, err := os.Open("/proc/self/mountinfo")
	if err != nil {
		return fmt.Errorf("read mounts: %w", err)
	}
	defer func() { _ = f.Close() }() // read-only
	var points []string
	s := bufio.NewScanner(f)
	for s.Scan() {
		fields := strings.Fields(s.Text())
		if len(fields) > 4 && (fields[4] == dir || strings.HasPrefix(fields[4], dir+"/")) {
			points = append(points, fields[4])
		}
	}
	slices.SortFunc(points, func(a, b string) int { return len(b) - len(a) })
	var errs []error
	for _, p := range points {
		if err := syscall.Unmount(p, syscall.MNT_DETACH); err != nil && !errors.Is(err, syscall.EINVAL) {
			errs = append(errs, fmt.Errorf("unmount %s: %w", p, err))
		}
	}
	return errors.Join(errs...)
}
