// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package lab

import (
	"archive/tar"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// TestWriteSandboxImage: the archive names the refs, and the config's
// diff_id is the digest of the layer, which holds /pause as given.
func TestWriteSandboxImage(t *testing.T) {
	pause := filepath.Join(t.TempDir(), "pause")
	if err := os.WriteFile(pause, []byte("binary"), 0o755); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := WriteSandboxImage(&buf, pause, SandboxImage, WorkloadImage); err != nil {
		t.Fatal(err)
	}
	files := untar(t, buf.Bytes())
	var manifest []struct {
		Config   string
		RepoTags []string
		Layers   []string
	}
	if err := json.Unmarshal(files["manifest.json"], &manifest); err != nil || len(manifest) != 1 || len(manifest[0].Layers) != 1 {
		t.Fatalf("manifest.json %s: %v", files["manifest.json"], err)
	}
	if !slices.Equal(manifest[0].RepoTags, []string{SandboxImage, WorkloadImage}) {
		t.Errorf("RepoTags %v; want %s and %s", manifest[0].RepoTags, SandboxImage, WorkloadImage)
	}
	var config struct {
		RootFS struct {
			DiffIDs []string `json:"diff_ids"`
		} `json:"rootfs"`
	}
	if err := json.Unmarshal(files[manifest[0].Config], &config); err != nil {
		t.Fatalf("config %s: %v", manifest[0].Config, err)
	}
	layer := files[manifest[0].Layers[0]]
	sum := sha256.Sum256(layer)
	if want := "sha256:" + hex.EncodeToString(sum[:]); !slices.Equal(config.RootFS.DiffIDs, []string{want}) {
		t.Errorf("diff_ids %v; want [%s]", config.RootFS.DiffIDs, want)
	}
	if got := untar(t, layer)["pause"]; string(got) != "binary" {
		t.Errorf("layer's pause is %q; want the binary's content", got)
	}
}

func untar(t *testing.T, data []byte) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	tr := tar.NewReader(bytes.NewReader(data))
	for {
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return out
		}
		if err != nil {
			t.Fatalf("read tar: %v", err)
		}
		if out[hdr.Name], err = io.ReadAll(tr); err != nil {
			t.Fatalf("read %s: %v", hdr.Name, err)
		}
	}
}
