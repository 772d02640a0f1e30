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
	"time"
)

// ErrQueueFull is returned by [ReleaseQueue.Enqueue] when the queue already
// holds its maximum number of entries.
var ErrQueueFull = errors.New("the release queue is full")

// ErrNoPodUID is returned by [ReleaseQueue.Enqueue] for a release without
// the pod UID: drained later, it could free the addresses of a pod of the
// same name created meanwhile, so it is never queued.
var ErrNoPodUID = errors.New("a release without the pod UID (K8S_POD_UID in CNI_ARGS) is not queued")

// ErrGiveUp is wrapped in the error a [ReleaseQueue.Drain] callback
// returns to remove the entry without a release: the caller gave up on it
// and says why in the rest of the error.
var ErrGiveUp = errors.New("gave up the queued release")

// MaxCorruptEntries is how many set-aside (".corrupt") entries the queue
// keeps for inspection, the newest; Drain removes the older ones.
const MaxCorruptEntries = 16

// staleTempAge is the age after which a temporary file was left by a
// writer that died between its create and its rename.
const staleTempAge = time.Minute

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
	// syncDir makes a rename in dir durable; a seam for tests.
	syncDir func(dir string) error
}

// QueuedRelease is one entry as [ReleaseQueue.Drain] hands it over.
type QueuedRelease struct {
	DelRequest
	// Queued is when the entry was written (its modification time).
	Queued time.Time
}

// DrainFailure is an entry whose release failed, with the callback's error.
type DrainFailure struct {
	Release QueuedRelease
	Err     error
}

// CorruptEntry is an entry that does not decode or is incomplete (such as
// one without the pod UID), renamed with the ".corrupt" suffix.
type CorruptEntry struct {
	// File is where it was moved.
	File string
	// Err says what is wrong with it.
	Err error
}

// DrainReport says what one [ReleaseQueue.Drain] did with each entry, for
// the caller to log and count.
type DrainReport struct {
	// Released counts the entries released and removed.
	Released int
	// Failed are the entries kept for the next Drain.
	Failed []DrainFailure
	// GivenUp are the entries removed without a release ([ErrGiveUp]).
	GivenUp []DrainFailure
	// Corrupt are the entries set aside.
	Corrupt []CorruptEntry
}

// NewReleaseQueue returns the queue kept in dir, holding at most capacity
// entries (DefaultReleaseQueueMax if capacity <= 0). The directory is
// created on first use.
func NewReleaseQueue(dir string, capacity int) *ReleaseQueue {
	if capacity <= 0 {
		capacity = DefaultReleaseQueueMax
	}
	return &ReleaseQueue{dir: dir, capacity: capacity, syncDir: syncDir}
}

// Dir is the queue's directory.
func (q *ReleaseQueue) Dir() string { return q.dir }

// Enqueue stores req, replacing an entry for the same container ID and
// interface. It fails with [ErrNoPodUID] without the pod UID and with
// [ErrQueueFull] at the cap.
func (q *ReleaseQueue) Enqueue(req DelRequest) error {
	if err := validEntry(&req); err != nil {
		return fmt.Errorf("queue the release of pod %s/%s: %w", req.PodNamespace, req.PodName, err)
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
// released or gave up on ([ErrGiveUp]); the others stay for the next
// Drain. Entries that do not decode or lack the pod UID are renamed with a
// ".corrupt" suffix, so that they stop counting. The report lists each
// outcome; the error joins the failures of the queue itself. Before it
// lists the entries, Drain removes the temporary files of writers that
// died and the set-aside entries beyond [MaxCorruptEntries]. Enqueue may
// run meanwhile: release runs without the lock held.
func (q *ReleaseQueue) Drain(release func(QueuedRelease) error) (DrainReport, error) {
	var rep DrainReport
	names, err := q.tidy()
	if err != nil || len(names) == 0 {
		return rep, err
	}
	var errs []error
	for _, name := range names {
		errs = append(errs, q.drainOne(name, release, &rep))
	}
	return rep, errors.Join(errs...)
}

// Len is the number of queued entries.
func (q *ReleaseQueue) Len() (int, error) {
	names, err := q.entries()
	return len(names), err
}

func (q *ReleaseQueue) drainOne(name string, release func(QueuedRelease) error, rep *DrainReport) error {
	path := filepath.Join(q.dir, name)
	e, err := readEntry(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil // drained by someone else meanwhile
	case errors.Is(err, errCorrupt):
		return q.setAside(path, rep)
	case err != nil:
		return err
	}
	err = release(e)
	switch {
	case err == nil:
		rep.Released++
	case errors.Is(err, ErrGiveUp):
		rep.GivenUp = append(rep.GivenUp, DrainFailure{Release: e, Err: err})
	default:
		rep.Failed = append(rep.Failed, DrainFailure{Release: e, Err: err})
		return nil
	}
	// An Enqueue for the same interface may have replaced the entry since
	// it was read; that entry asks for the same release, so removing it is
	// right.
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("remove drained release entry: %w", err)
	}
	return nil
}

// errCorrupt marks an entry that cannot be used as it is.
var errCorrupt = errors.New("corrupt release entry")

// readEntry reads the entry at path; errCorrupt when it does not decode
// or is incomplete.
func readEntry(path string) (QueuedRelease, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return QueuedRelease{}, fmt.Errorf("read release entry: %w", err)
	}
	info, err := os.Stat(path)
	if err != nil {
		return QueuedRelease{}, fmt.Errorf("read release entry: %w", err)
	}
	e := QueuedRelease{Queued: info.ModTime()}
	if err := json.Unmarshal(data, &e.DelRequest); err != nil {
		return QueuedRelease{}, fmt.Errorf("%w %s: %w", errCorrupt, path, err)
	}
	if err := validEntry(&e.DelRequest); err != nil {
		return QueuedRelease{}, fmt.Errorf("%w %s: %w", errCorrupt, path, err)
	}
	return e, nil
}

// validEntry checks what a queued release needs: a complete request with
// the pod UID.
func validEntry(req *DelRequest) error {
	if err := req.Validate(); err != nil {
		return err
	}
	if req.PodUID == "" {
		return ErrNoPodUID
	}
	return nil
}

// setAside renames a corrupt entry out of the queue, under the lock and
// after reading it again: an Enqueue may have replaced it with a good one.
// The set-aside file gets the current time, which orders the pruning.
func (q *ReleaseQueue) setAside(path string, rep *DrainReport) error {
	unlock, err := q.lock()
	if err != nil {
		return err
	}
	defer unlock()
	_, reason := readEntry(path)
	if !errors.Is(reason, errCorrupt) {
		return nil // gone or good now; an I/O error shows at the next Drain
	}
	aside := path + queueCorruptSuffix
	if err := os.Rename(path, aside); err != nil {
		return fmt.Errorf("set aside corrupt release entry: %w", err)
	}
	rep.Corrupt = append(rep.Corrupt, CorruptEntry{File: aside, Err: reason})
	now := time.Now()
	if err := os.Chtimes(aside, now, now); err != nil {
		return fmt.Errorf("set aside corrupt release entry: %w", err)
	}
	return nil
}

// tidy lists the entries under the lock, after removing the stale
// temporary files and the oldest set-aside entries. A missing directory
// holds nothing and is not created.
func (q *ReleaseQueue) tidy() ([]string, error) {
	if _, err := os.Stat(q.dir); errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	unlock, err := q.lock()
	if err != nil {
		return nil, err
	}
	defer unlock()
	dirents, err := os.ReadDir(q.dir)
	if err != nil {
		return nil, fmt.Errorf("list the release queue: %w", err)
	}
	return entryNames(dirents), errors.Join(removeStaleTemps(q.dir, dirents), pruneCorrupt(q.dir, dirents))
}

// removeStaleTemps removes the temporary files older than staleTempAge.
func removeStaleTemps(dir string, dirents []fs.DirEntry) error {
	var errs []error
	for _, d := range dirents {
		if ok, _ := filepath.Match(queueTempPattern, d.Name()); !ok {
			continue
		}
		if info, err := d.Info(); err == nil && time.Since(info.ModTime()) > staleTempAge {
			errs = append(errs, removeFile(filepath.Join(dir, d.Name())))
		}
	}
	return errors.Join(errs...)
}

// pruneCorrupt keeps the newest MaxCorruptEntries set-aside entries.
func pruneCorrupt(dir string, dirents []fs.DirEntry) error {
	var aside []fs.FileInfo
	for _, d := range dirents {
		if info, err := d.Info(); err == nil && info.Mode().IsRegular() && strings.HasSuffix(d.Name(), queueCorruptSuffix) {
			aside = append(aside, info)
		}
	}
	if len(aside) <= MaxCorruptEntries {
		return nil
	}
	slices.SortFunc(aside, func(a, b fs.FileInfo) int { return b.ModTime().Compare(a.ModTime()) })
	var errs []error
	for _, info := range aside[MaxCorruptEntries:] {
		errs = append(errs, removeFile(filepath.Join(dir, info.Name())))
	}
	return errors.Join(errs...)
}

func removeFile(path string) error {
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("clean the release queue: %w", err)
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
	return entryNames(dirents), nil
}

// entryNames keeps the queued entries among dirents, sorted by name.
func entryNames(dirents []fs.DirEntry) []string {
	var names []string
	for _, d := range dirents {
		if d.Type().IsRegular() && strings.HasSuffix(d.Name(), queueEntrySuffix) && !strings.HasPrefix(d.Name(), ".") {
			names = append(names, d.Name())
		}
	}
	slices.Sort(names)
	return names
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

// writeAtomic writes data to a temporary file, syncs it, renames it over
// name and syncs the directory, so a reader sees the old entry or the new
// one, never a part, and the new one survives a power loss.
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
	if err := q.syncDir(q.dir); err != nil {
		return fmt.Errorf("sync the release queue directory: %w", err)
	}
	return nil
}

// syncDir fsyncs the directory dir, which makes the renames in it durable.
func syncDir(dir string) error {
	d, err := os.Open(dir) //nolint:gosec // the queue's own directory
	if err != nil {
		return err
	}
	return errors.Join(d.Sync(), d.Close())
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
