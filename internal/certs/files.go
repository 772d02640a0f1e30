// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package certs

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// writeFiles writes the serving key and certificate for the webhook server,
// each only when it differs from what is on disk. Each file is replaced
// atomically; certwatcher reloads on the change (a reload between the two
// renames fails to pair and keeps the old certificate until the second).
func writeFiles(certFile, keyFile string, b Bundle) error {
	if err := os.MkdirAll(filepath.Dir(certFile), 0o755); err != nil {
		return fmt.Errorf("certificate directory: %w", err)
	}
	return errors.Join(replaceFile(keyFile, b.Key, 0o600), replaceFile(certFile, b.Cert, 0o644))
}

// replaceFile makes path hold data, by rename from a temporary file in the
// same directory, unless it already does.
func replaceFile(path string, data []byte, mode fs.FileMode) error {
	if have, err := os.ReadFile(path); err == nil && bytes.Equal(have, data) {
		return nil
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+"-*")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	defer os.Remove(tmp.Name()) //nolint:errcheck // gone after a successful rename
	_, werr := tmp.Write(data)
	err = errors.Join(werr, tmp.Chmod(mode), tmp.Sync(), tmp.Close())
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}
