// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package nodesim

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"

	"github.com/containernetworking/plugins/pkg/netlinksafe"
	"github.com/containernetworking/plugins/pkg/ns"
	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"
)

// defaultNetNSDir is where iproute2 keeps named network namespaces, so the
// pods' namespaces show up in `ip netns list`.
const defaultNetNSDir = "/var/run/netns"

// createNetNS creates a new network namespace and pins it with a bind mount on
// path, the way `ip netns add` does. A leftover at path (a namespace whose
// record was lost) is removed first: the path embeds the pod UID and belongs
// to this simulator.
func createNetNS(path string) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("create netns dir: %w", err)
	}
	if err := removeNetNS(path); err != nil {
		return err
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_RDONLY, 0o444)
	if err != nil {
		return fmt.Errorf("create netns mount point: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("close netns mount point: %w", err)
	}
	if err := pinNewNetNS(path); err != nil {
		return errors.Join(err, os.Remove(path))
	}
	return nil
}

// pinNewNetNS unshares the network namespace of a dedicated OS thread and
// bind-mounts it on path. The thread stays locked and is therefore discarded
// by the Go runtime when the goroutine ends, so no other goroutine ever runs
// in the new namespace.
func pinNewNetNS(path string) error {
	errc := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		if err := unix.Unshare(unix.CLONE_NEWNET); err != nil {
			errc <- fmt.Errorf("unshare netns: %w", err)
			return
		}
		// The runtime brings the sandbox's loopback up (containerd does it
		// itself, before any CNI plugin runs).
		if err := setLoopbackUp(); err != nil {
			errc <- err
			return
		}
		self := fmt.Sprintf("/proc/self/task/%d/ns/net", unix.Gettid())
		if err := unix.Mount(self, path, "none", unix.MS_BIND, ""); err != nil {
			errc <- fmt.Errorf("bind mount netns on %s: %w", path, err)
			return
		}
		errc <- nil
	}()
	return <-errc
}

// removeNetNS unmounts and removes a namespace created by createNetNS. It is
// idempotent: a missing path or a path that is not mounted is not an error.
func removeNetNS(path string) error {
	if _, err := os.Lstat(path); errors.Is(err, os.ErrNotExist) {
		return nil
	}
	err := unix.Unmount(path, unix.MNT_DETACH)
	if err != nil && !errors.Is(err, unix.EINVAL) && !errors.Is(err, unix.ENOENT) {
		return fmt.Errorf("unmount netns %s: %w", path, err)
	}
	if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("remove netns %s: %w", path, err)
	}
	return nil
}

// netNSUsable reports whether path is a network namespace a plugin can
// enter: not a missing path, nor a file that is no namespace mount.
func netNSUsable(path string) bool {
	n, err := ns.GetNS(path)
	if err != nil {
		return false
	}
	_ = n.Close() // read-only handle
	return true
}

// setLoopbackUp sets lo up in the calling thread's network namespace.
func setLoopbackUp() error {
	lo, err := netlinksafe.LinkByName("lo")
	if err != nil {
		return fmt.Errorf("find lo in new netns: %w", err)
	}
	if err := netlink.LinkSetUp(lo); err != nil {
		return fmt.Errorf("set lo up in new netns: %w", err)
	}
	return nil
}
