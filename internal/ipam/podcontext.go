// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package ipam

import (
	"context"
	"fmt"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/spiderpool-go/spiderpool/internal/annotation"
	"github.com/spiderpool-go/spiderpool/internal/autopool"
)

// podContext is what pool filtering knows about the pod. The node and the
// Multus networks are read on first use: most pools need neither.
type podContext struct {
	ctx context.Context
	svc *Service
	pod *corev1.Pod
	ns  *corev1.Namespace
	top topController

	node     *corev1.Node
	networks []annotation.NetworkSelection
	netsRead bool
}

// nodeName is the pod's node, or the agent's before the pod is bound.
func (pc *podContext) nodeName() string {
	if pc.pod.Spec.NodeName != "" {
		return pc.pod.Spec.NodeName
	}
	return pc.svc.cfg.NodeName
}

// nodeLabels reads the node once; a node that is gone has no labels.
func (pc *podContext) nodeLabels() (map[string]string, error) {
	if pc.node == nil {
		node := &corev1.Node{}
		if _, err := pc.svc.getCachedOrFresh(pc.ctx, client.ObjectKey{Name: pc.nodeName()}, node); err != nil {
			return nil, fmt.Errorf("read node %s: %w", pc.nodeName(), err)
		}
		pc.node = node
	}
	return pc.node.Labels, nil
}

// networkOf returns "<namespace>/<name>" of the Multus network of nic, or ""
// when it has none (docs/reference/behaviour.md §1.5 #8,
// docs/reference/interface.md §3.4).
func (pc *podContext) networkOf(nic string) (string, error) {
	agentNS := pc.svc.cfg.AgentNamespace
	if nic == "eth0" || nic == "0" {
		if v, ok := pc.pod.Annotations[annotation.KeyMultusDefaultNetwork]; ok {
			n, err := annotation.ParseMultusDefaultNetwork(v)
			if err != nil {
				return "", podAnnotationError(pc.pod, err)
			}
			return qualify(n.Namespace, n.Name, agentNS), nil
		}
		if pc.svc.cfg.ClusterNetwork == "" {
			return "", nil
		}
		return qualifyRef(pc.svc.cfg.ClusterNetwork, agentNS), nil
	}
	if err := pc.readNetworks(); err != nil {
		return "", err
	}
	for i, n := range pc.networks {
		ifName := n.Interface
		if ifName == "" {
			ifName = fmt.Sprintf("net%d", i+1)
		}
		if ifName == nic || fmt.Sprint(i+1) == nic {
			return qualify(n.Namespace, n.Name, pc.pod.Namespace), nil
		}
	}
	return "", nil
}

func (pc *podContext) readNetworks() error {
	if pc.netsRead {
		return nil
	}
	nets, _, err := annotation.Lookup(pc.pod.Annotations, annotation.KeyMultusNetworks, annotation.ParseMultusNetworks)
	if err != nil {
		return podAnnotationError(pc.pod, err)
	}
	pc.networks, pc.netsRead = nets, true
	return nil
}

// qualify returns "namespace/name", with def for an empty namespace.
func qualify(namespace, name, def string) string {
	if namespace == "" {
		namespace = def
	}
	return namespace + "/" + name
}

// qualifyRef qualifies a "name" or "namespace/name" reference.
func qualifyRef(ref, def string) string {
	if ns, name, ok := strings.Cut(ref, "/"); ok {
		return qualify(ns, name, def)
	}
	return qualify("", ref, def)
}

// appLabels are the five labels an auto-created pool's podAffinity holds for
// its application (docs/reference/interface.md §3.5), computed for the pod's
// top controller.
func (pc *podContext) appLabels() map[string]string {
	gv, err := schema.ParseGroupVersion(pc.top.APIVersion)
	if err != nil {
		gv = schema.GroupVersion{Version: pc.top.APIVersion}
	}
	return autopool.AffinityLabels(autopool.App{
		Group: gv.Group, Version: gv.Version, Kind: pc.top.Kind, Namespace: pc.top.Namespace, Name: pc.top.Name,
	})
}
