// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package agentapi

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
)

// ErrQueueFull is returned by [ReleaseQueue.Enqueue] when the queue already
// holds its maximum number of entries.
var ErrQueueFull = errors.New("the release queue is full")

// DefaultReleaseQueueMax is the cap on queued releases: far more pods than
// a node runs, small enough to bound the disk.
const DefaultReleaseQueueMax = 4096

// Names inside the queue directory.
const (
	queueEntrySuffix   = ".json"
	queueCorruptSuffix = ".corrupt"
	queueLockName      = ".lock"
	queueTempPattern   = ".tmp-*"
)

// ReleaseQueueDir is the queue directory that goes with an agent socket:
// "release-queue" next to it (/var/run/spidernet/release-queue by default).
func ReleaseQueueDir(socketPath string) string {
	return filepath.Join(filepath.Dir(socketPath), "release-queue")
}

// ReleaseQueue keeps, on disk, the releases that CNI DEL could not hand to
// the agent, so that none is lost while the agent is down; the agent drains
// it once it is ready (docs/compatibility.md #7). There is one JSON file per
// container ID and interface, written atomically; a lock file serializes
// the plugin processes and the agent.
type ReleaseQueue struct {
	dir      string
	capacity int
}

// NewReleaseQueue returns the queue kept in dir, holding at most capacity
// entries (DefaultReleaseQueueMax if capacity <= 0). The directory is
// created on first use.
func NewReleaseQueue(dir string, capacity int) *ReleaseQueue {
	if capacity <= 0 {
		capacity = DefaultReleaseQueueMax
	}
	return &ReleaseQueue{dir: dir, capacity: capacity}
}

// Dir is the queue's directory.
func (q *ReleaseQueue) Dir() string { return q.dir }

// Enqueue stores req, replacing an entry for the same container ID and
// interface. It fails with [ErrQueueFull] at the cap.
func (q *ReleaseQueue) Enqueue(req DelRequest) error {
	if err := req.Validate(); err != nil {
		return fmt.Errorf("queue release: %w", err)
	}
	data, err := json.Marshal(req)
	if err != nil {
		return fmt.Errorf("queue release: %w", err)
	}
	unlock, err := q.lock()
	if err != nil {
		return err
	}
	defer unlock()
	name := entryName(req.ContainerID, req.IfName)
	if err := q.checkRoom(name); err != nil {
		return err
	}
	return q.writeAtomic(name, data)
}

// Drain calls release for every queued entry and removes the entries it
// accepted. Entries it refuses stay for the next Drain; unreadable entries
// are renamed with a ".corrupt" suffix so that they stop counting. The
// errors are joined. Enqueue may run meanwhile: release runs without the
// lock held.
func (q *ReleaseQueue) Drain(release func(DelRequest) error) error {
	names, err := q.entries()
	if err != nil || len(names) == 0 {
		return err
	}
	var errs []error
	for _, name := range names {
		if err := q.drainOne(name, release); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// Len is the number of queued entries.
func (q *ReleaseQueue) Len() (int, error) {
	names, err := q.entries()
	return len(names), err
}

func (q *ReleaseQueue) drainOne(name string, release func(DelRequest) error) error {
	path := filepath.Join(q.dir, name)
	req, err := readEntry(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil // drained by someone else meanwhile
	}
	if err != nil {
		return errors.Join(err, q.setAside(path))
	}
	if err := release(req); err != nil {
		return fmt.Errorf("release %s/%s of pod %s/%s: %w", req.ContainerID, req.IfName, req.PodNamespace, req.PodName, err)
	}
	// An Enqueue for the same interface may have replaced the entry since
	// it was read; that entry asks for the same release, so removing it is
	// right.
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("remove drained release entry: %w", err)
	}
	return nil
}

func readEntry(path string) (DelRequest, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return DelRequest{}, fmt.Errorf("read release entry: %w", err)
	}
	var req DelRequest
	if err := json.Unmarshal(data, &req); err != nil {
		return DelRequest{}, fmt.Errorf("decode release entry %s: %w", path, err)
	}
	if err := req.Validate(); err != nil {
		return DelRequest{}, fmt.Errorf("release entry %s: %w", path, err)
	}
	return req, nil
}

func (q *ReleaseQueue) setAside(path string) error {
	if err := os.Rename(path, path+queueCorruptSuffix); err != nil {
		return fmt.Errorf("set aside corrupt release entry: %w", err)
	}
	return nil
}

// entries lists the queued entry files, sorted by name.
func (q *ReleaseQueue) entries() ([]string, error) {
	dirents, err := os.ReadDir(q.dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("list the release queue: %w", err)
	}
	var names []string
	for _, d := range dirents {
		if d.Type().IsRegular() && strings.HasSuffix(d.Name(), queueEntrySuffix) && !strings.HasPrefix(d.Name(), ".") {
			names = append(names, d.Name())
		}
	}
	slices.Sort(names)
	return names, nil
}

// checkRoom refuses a new entry at the cap; replacing one is always fine.
func (q *ReleaseQueue) checkRoom(name string) error {
	names, err := q.entries()
	if err != nil {
		return err
	}
	if len(names) < q.capacity || slices.Contains(names, name) {
		return nil
	}
	return fmt.Errorf("%w: %d entries in %s; start spiderpool-agent so that it drains them", ErrQueueFull, len(names), q.dir)
}

// writeAtomic writes data to a temporary file, syncs it and renames it
// over name, so a reader sees the old entry or the new one, never a part.
func (q *ReleaseQueue) writeAtomic(name string, data []byte) error {
	tmp, err := os.CreateTemp(q.dir, queueTempPattern)
	if err != nil {
		return fmt.Errorf("create release entry: %w", err)
	}
	_, werr := tmp.Write(data)
	serr := tmp.Sync()
	cerr := tmp.Close()
	if err := errors.Join(werr, serr, cerr); err != nil {
		return errors.Join(fmt.Errorf("write release entry: %w", err), os.Remove(tmp.Name()))
	}
	if err := os.Rename(tmp.Name(), filepath.Join(q.dir, name)); err != nil {
		return errors.Join(fmt.Errorf("commit release entry: %w", err), os.Remove(tmp.Name()))
	}
	return nil
}

// lock creates the directory (0700) and takes the queue's exclusive lock.
func (q *ReleaseQueue) lock() (unlock func(), err error) {
	if err := os.MkdirAll(q.dir, socketDirMode); err != nil {
		return nil, fmt.Errorf("create the release queue directory: %w", err)
	}
	f, err := os.OpenFile(filepath.Join(q.dir, queueLockName), os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, fmt.Errorf("open the release queue lock: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		return nil, errors.Join(fmt.Errorf("lock the release queue: %w", err), f.Close())
	}
	// Closing the file releases the lock; a close error on a lock file
	// leaves nothing to undo.
	return func() { _ = f.Close() }, nil
}

// entryName is a fixed-length, file-name-safe key for a container ID and
// interface; the entry's content says which ones they are.
func entryName(containerID, ifName string) string {
	sum := sha256.Sum256([]byte(containerID + "\x00" + ifName))
	return hex.EncodeToString(sum[:16]) + queueEntrySuffix
}
