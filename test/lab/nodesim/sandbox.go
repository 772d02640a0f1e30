// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package nodesim

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"path/filepath"
	"time"
)

// sandboxRuntime is the container runtime's networking half: it creates a
// pod's network namespace, attaches its networks through CNI and tears both
// down again. It knows nothing of the API server, so it is tested alone.
type sandboxRuntime struct {
	cni         *cniRunner
	store       sandboxStore
	netnsDir    string
	netnsPrefix string
	now         func() time.Time
}

// create makes a sandbox for pod with nets attached in order (the default
// network first). The record is written ahead of the first ADD so a crash
// leaves something to tear down. If any attachment fails, every attachment
// tried so far is deleted in reverse order, the namespace and the record are
// removed, and the ADD error is returned joined with any rollback error.
func (r *sandboxRuntime) create(ctx context.Context, pod podRef, nets []network) (*sandbox, error) {
	for _, n := range nets {
		if err := r.cni.findPlugins(n); err != nil {
			return nil, err
		}
	}
	sb, err := r.newSandbox(pod, nets)
	if err != nil {
		return nil, err
	}
	if err := r.store.save(sb); err != nil {
		return nil, err
	}
	tried, err := r.setUp(ctx, sb)
	if err != nil {
		return nil, errors.Join(err, r.tearDown(ctx, sb, tried))
	}
	sb.Phase = phaseReady
	if err := r.store.save(sb); err != nil {
		return nil, errors.Join(err, r.tearDown(ctx, sb, len(sb.Attachments)))
	}
	return sb, nil
}

func (r *sandboxRuntime) newSandbox(pod podRef, nets []network) (*sandbox, error) {
	id, err := newSandboxID()
	if err != nil {
		return nil, err
	}
	sb := &sandbox{
		Pod:     pod,
		ID:      id,
		NetNS:   filepath.Join(r.netnsDir, r.netnsPrefix+pod.UID),
		Created: r.now().UTC().Truncate(time.Second),
		Phase:   phaseCreating,
	}
	for _, n := range nets {
		sb.Attachments = append(sb.Attachments, attachment{network: n})
	}
	return sb, nil
}

// setUp creates the namespace and adds the attachments in order. It returns
// how many attachments it tried, including a failed one, which may have
// allocated resources before failing.
func (r *sandboxRuntime) setUp(ctx context.Context, sb *sandbox) (int, error) {
	if err := createNetNS(sb.NetNS); err != nil {
		return 0, err
	}
	for i := range sb.Attachments {
		st, err := r.cni.add(ctx, sb, sb.Attachments[i].network)
		if err != nil {
			return i + 1, err
		}
		sb.Attachments[i].Status = st
	}
	return len(sb.Attachments), nil
}

// destroy runs DEL for every attachment, the default network last, then
// removes the namespace and the record. While a DEL fails the namespace and
// the record are kept, so the caller retries, as kubelet does.
func (r *sandboxRuntime) destroy(ctx context.Context, sb *sandbox) error {
	return r.tearDown(ctx, sb, len(sb.Attachments))
}

func (r *sandboxRuntime) tearDown(ctx context.Context, sb *sandbox, n int) error {
	var errs []error
	for i := n - 1; i >= 0; i-- {
		errs = append(errs, r.cni.del(ctx, sb, sb.Attachments[i].network))
	}
	if err := errors.Join(errs...); err != nil {
		return err
	}
	if err := removeNetNS(sb.NetNS); err != nil {
		return err
	}
	return r.store.remove(sb.Pod.UID)
}

// newSandboxID returns a random 64-hex id, the shape of a CRI sandbox id.
func newSandboxID() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("generate sandbox id: %w", err)
	}
	return hex.EncodeToString(b), nil
}
