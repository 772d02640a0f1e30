// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package rdmametrics

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"runtime"

	"github.com/vishvananda/netns"
	"golang.org/x/sys/unix"
)

// ErrNetnsGone is returned for a network namespace that disappeared before
// or while it was read (its pod was deleted): the scan skips it.
var ErrNetnsGone = errors.New("network namespace is gone")

// readInNetns runs ReadDevices in the network namespace at path on a
// dedicated OS thread and gives up after ctx ends (the thread is then left
// to finish on its own and is discarded).
func readInNetns(ctx context.Context, path string) ([]Device, error) {
	return withTimeout(ctx, path, func() ([]Device, error) { return readOnThread(path) })
}

// readHost runs ReadDevices in the agent's own (the host's) netns, without
// entering any, and gives up after ctx ends.
func readHost(ctx context.Context) ([]Device, error) {
	return withTimeout(ctx, "of the host", ReadDevices)
}

// withTimeout runs read in a goroutine and returns its result, or an error
// naming the netns (where) once ctx ends.
func withTimeout(ctx context.Context, where string, read func() ([]Device, error)) ([]Device, error) {
	type result struct {
		devs []Device
		err  error
	}
	done := make(chan result, 1)
	go func() {
		devs, err := read()
		done <- result{devs, err}
	}()
	select {
	case r := <-done:
		return r.devs, r.err
	case <-ctx.Done():
		return nil, fmt.Errorf("read RDMA devices in netns %s: %w", where, context.Cause(ctx))
	}
}

// readOnThread enters the netns at path, reads and returns to the original
// netns. When returning fails the thread stays locked, so the Go runtime
// ends it with the goroutine instead of reusing it in the wrong netns.
func readOnThread(path string) ([]Device, error) {
	runtime.LockOSThread()
	orig, err := netns.Get()
	if err != nil {
		runtime.UnlockOSThread()
		return nil, fmt.Errorf("open the agent's netns: %w", err)
	}
	defer func() { _ = orig.Close() }()
	target, err := netns.GetFromPath(path)
	if err != nil {
		runtime.UnlockOSThread()
		if errors.Is(err, fs.ErrNotExist) {
			return nil, ErrNetnsGone
		}
		return nil, fmt.Errorf("open netns %s: %w", path, err)
	}
	defer func() { _ = target.Close() }()
	if err := netns.Set(target); err != nil {
		runtime.UnlockOSThread()
		if errors.Is(err, unix.EINVAL) {
			return nil, ErrNetnsGone // a leftover file, no longer a netns mount
		}
		return nil, fmt.Errorf("enter netns %s: %w", path, err)
	}
	devs, readErr := ReadDevices()
	if err := netns.Set(orig); err != nil {
		return nil, fmt.Errorf("return from netns %s: %w", path, err)
	}
	runtime.UnlockOSThread()
	if readErr != nil {
		return nil, fmt.Errorf("netns %s: %w", path, readErr)
	}
	return devs, nil
}
