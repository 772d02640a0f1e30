// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package lab

import (
	"archive/tar"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"os"
	"slices"
	"time"
)

// SandboxImage is the image reference of the kubelet node's pod sandbox
// (containerd's sandbox_image): no registry is reachable, so the lab packs
// its own pause binary (test/lab/pause) into an image and imports it.
const SandboxImage = "lab.spiderpool.io/pause:1"

// WorkloadImage is the image the lab's test workloads name; on the kubelet
// node it is the same local image, so those pods run there unchanged.
const WorkloadImage = "registry.k8s.io/pause:3.10"

// WriteSandboxImage writes a docker-archive image tarball (the format
// "ctr images import" reads) tagged refs, of one layer holding the static
// binary pause as /pause, its entrypoint.
func WriteSandboxImage(w io.Writer, pause string, refs ...string) error {
	bin, err := os.ReadFile(pause)
	if err != nil {
		return fmt.Errorf("sandbox image: read the pause binary (build test/lab/pause with CGO_ENABLED=0): %w", err)
	}
	layer, err := tarFiles(map[string][]byte{"pause": bin}, 0o755)
	if err != nil {
		return err
	}
	layerSum := sha256.Sum256(layer)
	config, err := json.Marshal(map[string]any{
		"architecture": "amd64", "os": "linux", "created": time.Unix(0, 0).UTC(),
		"config": map[string]any{"Entrypoint": []string{"/pause"}},
		"rootfs": map[string]any{"type": "layers", "diff_ids": []string{"sha256:" + hex.EncodeToString(layerSum[:])}},
	})
	if err != nil {
		return fmt.Errorf("sandbox image: encode config: %w", err)
	}
	configSum := sha256.Sum256(config)
	configName := hex.EncodeToString(configSum[:]) + ".json"
	layerName := hex.EncodeToString(layerSum[:]) + "/layer.tar"
	manifest, err := json.Marshal([]map[string]any{{"Config": configName, "RepoTags": refs, "Layers": []string{layerName}}})
	if err != nil {
		return fmt.Errorf("sandbox image: encode manifest: %w", err)
	}
	archive, err := tarFiles(map[string][]byte{configName: config, layerName: layer, "manifest.json": manifest}, 0o644)
	if err != nil {
		return err
	}
	if _, err := w.Write(archive); err != nil {
		return fmt.Errorf("sandbox image: write: %w", err)
	}
	return nil
}

// tarFiles returns a tar of files (name → content) with mode, in name
// order, with fixed timestamps so that equal inputs give equal digests.
func tarFiles(files map[string][]byte, mode int64) ([]byte, error) {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, name := range slices.Sorted(maps.Keys(files)) {
		hdr := &tar.Header{Name: name, Mode: mode, Size: int64(len(files[name])), ModTime: time.Unix(0, 0), Typeflag: tar.TypeReg}
		if err := tw.WriteHeader(hdr); err != nil {
			return nil, fmt.Errorf("sandbox image: tar %s: %w", name, err)
		}
		if _, err := tw.Write(files[name]); err != nil {
			return nil, fmt.Errorf("sandbox image: tar %s: %w", name, err)
		}
	}
	if err := tw.Close(); err != nil {
		return nil, fmt.Errorf("sandbox image: close tar: %w", err)
	}
	return buf.Bytes(), nil
}
