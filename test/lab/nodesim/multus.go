// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package nodesim

import (
	"context"
	"errors"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// nadGVK is the NetworkAttachmentDefinition kind. It is read as unstructured
// so the simulator does not depend on the project's typed API.
var nadGVK = schema.GroupVersionKind{Group: "k8s.cni.cncf.io", Version: "v1", Kind: "NetworkAttachmentDefinition"}

// ErrEmptyNADConfig is returned for a NetworkAttachmentDefinition without
// spec.config (Multus would then look for a file in its conf dir; the lab
// does not support that).
var ErrEmptyNADConfig = errors.New("NetworkAttachmentDefinition has no spec.config")

// networkResolver works out the networks a pod gets, as Multus does.
type networkResolver struct {
	reader     client.Reader
	cniConfDir string
	// agentNamespace resolves a bare name in the default-network annotation,
	// as Multus uses its own namespace there (not the pod's).
	agentNamespace string
	// spiderpoolSocket is Config.SpiderpoolSocket.
	spiderpoolSocket string
}

// podNetworks returns the pod's networks in attach order: eth0 first (the
// node default, or the NAD named by the default-network annotation; a bare
// name there is looked up in the agent namespace), then
// every network of the networks annotation as net1, net2, ... unless the
// selection names its interface.
func (r networkResolver) podNetworks(ctx context.Context, pod *corev1.Pod) ([]network, error) {
	def, err := r.defaultNetwork(ctx, pod)
	if err != nil {
		return nil, err
	}
	sels, err := parseNetworkSelections(pod.Annotations[AnnotationNetworks], pod.Namespace)
	if err != nil {
		return nil, fmt.Errorf("annotation %s: %w", AnnotationNetworks, err)
	}
	nets := []network{def}
	seen := map[string]bool{def.IfName: true}
	for i, sel := range sels {
		ifName := sel.Interface
		if ifName == "" {
			ifName = fmt.Sprintf("net%d", i+1)
		}
		if seen[ifName] {
			return nil, fmt.Errorf("annotation %s: %w: interface %s used twice", AnnotationNetworks, ErrInvalidNetworkSelection, ifName)
		}
		seen[ifName] = true
		n, err := r.fromNAD(ctx, sel, ifName, false)
		if err != nil {
			return nil, err
		}
		nets = append(nets, n)
	}
	return nets, nil
}

func (r networkResolver) defaultNetwork(ctx context.Context, pod *corev1.Pod) (network, error) {
	value, ok := pod.Annotations[AnnotationDefaultNetwork]
	if !ok {
		return loadDefaultNetwork(r.cniConfDir)
	}
	sels, err := parseNetworkSelections(value, r.agentNamespace)
	if err != nil {
		return network{}, fmt.Errorf("annotation %s: %w", AnnotationDefaultNetwork, err)
	}
	if len(sels) != 1 {
		return network{}, fmt.Errorf("annotation %s: %w: want exactly one network, got %d",
			AnnotationDefaultNetwork, ErrInvalidNetworkSelection, len(sels))
	}
	return r.fromNAD(ctx, sels[0], defaultIfName, true)
}

// fromNAD reads the NetworkAttachmentDefinition a selection names.
func (r networkResolver) fromNAD(ctx context.Context, sel networkSelection, ifName string, isDefault bool) (network, error) {
	nad := &unstructured.Unstructured{}
	nad.SetGroupVersionKind(nadGVK)
	key := client.ObjectKey{Namespace: sel.Namespace, Name: sel.Name}
	if err := r.reader.Get(ctx, key, nad); err != nil {
		return network{}, fmt.Errorf("get NetworkAttachmentDefinition %s: %w", key, err)
	}
	raw, _, err := unstructured.NestedString(nad.Object, "spec", "config")
	if err != nil {
		return network{}, fmt.Errorf("NetworkAttachmentDefinition %s: %w", key, err)
	}
	if raw == "" {
		return network{}, fmt.Errorf("%s: %w", key, ErrEmptyNADConfig)
	}
	conf, err := normalizeNetConf([]byte(raw), sel.Name)
	if err == nil {
		conf, err = withNodeSocket(conf, r.spiderpoolSocket)
	}
	if err != nil {
		return network{}, fmt.Errorf("NetworkAttachmentDefinition %s: %w", key, err)
	}
	return network{Name: key.String(), IfName: ifName, Default: isDefault, Config: conf, IPs: sel.IPs, MAC: sel.MAC}, nil
}
