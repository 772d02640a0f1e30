// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package nodesim

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// volumeDirs maps every volume of pod to its host directory: hostPath
// volumes live under the node's root dir, every other kind under the pod's
// dir (<podDir>/volumes/<name>).
func volumeDirs(pod *corev1.Pod, rootfs, podDir string) map[string]string {
	dirs := map[string]string{}
	for _, v := range pod.Spec.Volumes {
		if v.HostPath != nil {
			dirs[v.Name] = hostPathDir(rootfs, v.HostPath.Path)
			continue
		}
		dirs[v.Name] = filepath.Join(podDir, "volumes", v.Name)
	}
	return dirs
}

// containerPaths is the path map of container c: its volume mounts (with
// subPath) to the volumes' host directories.
func containerPaths(c *corev1.Container, dirs map[string]string) pathMap {
	var mounts []mount
	for _, vm := range c.VolumeMounts {
		dir, ok := dirs[vm.Name]
		if !ok {
			continue
		}
		mounts = append(mounts, mount{containerPath: vm.MountPath, hostPath: filepath.Join(dir, vm.SubPath)})
	}
	return newPathMap(mounts)
}

// volumeSource fetches ConfigMaps and Secrets for the volumes and the
// environment of the pods it runs.
type volumeSource struct{ reader client.Reader }

// materialize creates the volumes' directories and writes the files of
// ConfigMap and Secret volumes, their text translated with paths[volume]
// (the path map of the first container mounting it).
func (s volumeSource) materialize(ctx context.Context, pod *corev1.Pod, dirs map[string]string, paths map[string]pathMap) error {
	for _, v := range pod.Spec.Volumes {
		dir := dirs[v.Name]
		if v.HostPath != nil && !hostPathIsDir(v.HostPath) {
			continue
		}
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return fmt.Errorf("volume %s: %w", v.Name, err)
		}
		files, err := s.volumeFiles(ctx, pod.Namespace, v)
		if err != nil {
			return err
		}
		for name, data := range files {
			path := filepath.Join(dir, filepath.Clean("/"+name))
			if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
				return fmt.Errorf("volume %s: %w", v.Name, err)
			}
			if err := os.WriteFile(path, []byte(paths[v.Name].translate(string(data))), 0o644); err != nil {
				return fmt.Errorf("volume %s: %w", v.Name, err)
			}
		}
	}
	return nil
}

// hostPathIsDir reports whether a hostPath volume names a directory (to be
// created) rather than a file or a socket.
func hostPathIsDir(hp *corev1.HostPathVolumeSource) bool {
	if hp.Type == nil {
		return true
	}
	switch *hp.Type {
	case corev1.HostPathDirectory, corev1.HostPathDirectoryOrCreate, corev1.HostPathUnset:
		return true
	}
	return false
}

// volumeFiles returns the files (relative path → content) of a ConfigMap
// or Secret volume; other kinds have none.
func (s volumeSource) volumeFiles(ctx context.Context, ns string, v corev1.Volume) (map[string][]byte, error) {
	switch {
	case v.ConfigMap != nil:
		cm := &corev1.ConfigMap{}
		if err := s.reader.Get(ctx, client.ObjectKey{Namespace: ns, Name: v.ConfigMap.Name}, cm); err != nil {
			if apierrors.IsNotFound(err) && v.ConfigMap.Optional != nil && *v.ConfigMap.Optional {
				return nil, nil
			}
			return nil, fmt.Errorf("volume %s: get ConfigMap: %w", v.Name, err)
		}
		data := map[string][]byte{}
		for k, val := range cm.Data {
			data[k] = []byte(val)
		}
		for k, val := range cm.BinaryData {
			data[k] = val
		}
		return pick(data, v.ConfigMap.Items), nil
	case v.Secret != nil:
		sec := &corev1.Secret{}
		if err := s.reader.Get(ctx, client.ObjectKey{Namespace: ns, Name: v.Secret.SecretName}, sec); err != nil {
			if apierrors.IsNotFound(err) && v.Secret.Optional != nil && *v.Secret.Optional {
				return nil, nil
			}
			return nil, fmt.Errorf("volume %s: get Secret: %w", v.Name, err)
		}
		return pick(sec.Data, v.Secret.Items), nil
	}
	return nil, nil
}

// pick applies a volume's items (key → path); no items means every key.
func pick(data map[string][]byte, items []corev1.KeyToPath) map[string][]byte {
	if len(items) == 0 {
		return data
	}
	out := map[string][]byte{}
	for _, it := range items {
		if val, ok := data[it.Key]; ok {
			out[it.Path] = val
		}
	}
	return out
}
