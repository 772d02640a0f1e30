// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package nodesim

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// sandboxPhase tells how far the CNI ADD of a sandbox got.
type sandboxPhase string

const (
	// phaseCreating is written ahead of the first CNI ADD: a record left in
	// this phase belongs to an ADD that crashed and must be torn down.
	phaseCreating sandboxPhase = "Creating"
	// phaseReady means every attachment was added.
	phaseReady sandboxPhase = "Ready"
)

// podRef names the pod a sandbox belongs to.
type podRef struct {
	Namespace string `json:"namespace"`
	Name      string `json:"name"`
	UID       string `json:"uid"`
}

func (p podRef) String() string { return p.Namespace + "/" + p.Name }

// network is one CNI network to attach to a pod.
type network struct {
	// Name is the network-status name: "namespace/nad" or the conflist name.
	Name string `json:"name"`
	// IfName is the interface inside the pod.
	IfName string `json:"ifName"`
	// Default marks the pod's default network (eth0).
	Default bool `json:"default,omitempty"`
	// Config is the normalised conflist sent to the plugins; DEL reuses it.
	Config json.RawMessage `json:"config"`
	// IPs and MAC are the addresses the pod's network selection asks for;
	// Multus passes them to the plugins (runtimeConf).
	IPs []string `json:"ips,omitempty"`
	MAC string   `json:"mac,omitempty"`
}

// attachment is a network and, once its ADD succeeded, what the plugins returned.
type attachment struct {
	network
	Status *networkStatus `json:"status,omitempty"`
}

// sandbox is the persisted record of a pod sandbox: what a restarted simulator
// needs to run DEL for everything it added.
type sandbox struct {
	Pod         podRef       `json:"pod"`
	ID          string       `json:"id"`
	NetNS       string       `json:"netns"`
	Created     time.Time    `json:"created"`
	Phase       sandboxPhase `json:"phase"`
	Attachments []attachment `json:"attachments"`
}

// sandboxStore keeps one JSON file per sandbox, named by pod UID.
type sandboxStore struct {
	dir string
}

func (s sandboxStore) path(uid string) string {
	return filepath.Join(s.dir, uid+".json")
}

// save writes the record atomically (temporary file and rename).
func (s sandboxStore) save(sb *sandbox) error {
	data, err := json.Marshal(sb)
	if err != nil {
		return fmt.Errorf("encode sandbox record: %w", err)
	}
	if err := os.MkdirAll(s.dir, 0o700); err != nil {
		return fmt.Errorf("create state dir: %w", err)
	}
	tmp := s.path(sb.Pod.UID) + ".tmp"
	if err := os.WriteFile(tmp, data, 0o600); err != nil {
		return fmt.Errorf("write sandbox record: %w", err)
	}
	if err := os.Rename(tmp, s.path(sb.Pod.UID)); err != nil {
		return fmt.Errorf("commit sandbox record: %w", err)
	}
	return nil
}

// remove drops a record; a missing record is not an error.
func (s sandboxStore) remove(uid string) error {
	if err := os.Remove(s.path(uid)); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("remove sandbox record: %w", err)
	}
	return nil
}

// list returns every record in the store.
func (s sandboxStore) list() ([]*sandbox, error) {
	entries, err := os.ReadDir(s.dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read state dir: %w", err)
	}
	var out []*sandbox
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".json") {
			continue
		}
		sb, err := s.load(filepath.Join(s.dir, e.Name()))
		if err != nil {
			return nil, err
		}
		out = append(out, sb)
	}
	return out, nil
}

func (s sandboxStore) load(path string) (*sandbox, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read sandbox record: %w", err)
	}
	sb := &sandbox{}
	if err := json.Unmarshal(data, sb); err != nil {
		return nil, fmt.Errorf("decode sandbox record %s: %w", path, err)
	}
	return sb, nil
}

// forPod returns the records of every pod named namespace/name, whatever its UID.
func (s sandboxStore) forPod(namespace, name string) ([]*sandbox, error) {
	all, err := s.list()
	if err != nil {
		return nil, err
	}
	var out []*sandbox
	for _, sb := range all {
		if sb.Pod.Namespace == namespace && sb.Pod.Name == name {
			out = append(out, sb)
		}
	}
	return out, nil
}
