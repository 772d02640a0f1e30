// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package ipam

import (
	"fmt"
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"

	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
	"github.com/spiderpool-go/spiderpool/internal/annotation"
)

// Selection sources, strongest first (docs/reference/behaviour.md §1.4),
// after sourceSubnet (subnet.go).
const (
	sourceIPPools   = "pod annotation " + annotation.KeyIPPools
	sourceIPPool    = "pod annotation " + annotation.KeyIPPool
	sourceNamespace = "namespace default pools"
	sourceNetConf   = "CNI configuration default pools"
	sourceDefault   = "cluster default pools (spec.default)"
)

// nicPlan is the raw pool selection of one interface: names in the user's
// order with wildcards expanded, before filtering.
type nicPlan struct {
	nic          string
	cleanGateway bool
	v4, v6       []string
	// patterns are the names as written, to explain an empty expansion.
	patterns4, patterns6 []string
}

// names returns the pools of version v.
func (n *nicPlan) names(v int64) []string {
	if v == spiderpoolv2beta1.IPv4 {
		return n.v4
	}
	return n.v6
}

func (n *nicPlan) patterns(v int64) []string {
	if v == spiderpoolv2beta1.IPv4 {
		return n.patterns4
	}
	return n.patterns6
}

// selection is the raw pool selection of a pod: one plan per interface
// (several only with the ippools annotation).
type selection struct {
	source string
	nics   []nicPlan
}

// nic returns the plan of interface name, or nil.
func (s *selection) nic(name string) *nicPlan {
	for i := range s.nics {
		if s.nics[i].nic == name {
			return &s.nics[i]
		}
	}
	return nil
}

// selectPools applies the first selection source that has something for the
// pod, expands wildcards and drops the IP families disabled in the
// configuration. A malformed annotation fails with its *annotation.Error.
func (s *Service) selectPools(pod *corev1.Pod, ns *corev1.Namespace, req *AllocateRequest, pools *poolSet) (selection, error) {
	sel, err := rawSelection(pod, ns, req, pools)
	if err != nil {
		return selection{}, err
	}
	for i := range sel.nics {
		n := &sel.nics[i]
		n.patterns4, n.patterns6 = n.v4, n.v6
		n.v4, n.v6 = nil, nil
		if s.cfg.EnableIPv4 {
			n.v4 = pools.expand(spiderpoolv2beta1.IPv4, n.patterns4)
		}
		if s.cfg.EnableIPv6 {
			n.v6 = pools.expand(spiderpoolv2beta1.IPv6, n.patterns6)
		}
	}
	return sel, nil
}

func rawSelection(pod *corev1.Pod, ns *corev1.Namespace, req *AllocateRequest, pools *poolSet) (selection, error) {
	if multi, ok, err := annotation.Lookup(pod.Annotations, annotation.KeyIPPools, annotation.ParseIPPools); ok || err != nil {
		return multiNICSelection(pod, multi, req.IfName, err)
	}
	if one, ok, err := annotation.Lookup(pod.Annotations, annotation.KeyIPPool, annotation.ParseIPPool); ok || err != nil {
		if err != nil {
			return selection{}, podAnnotationError(pod, err)
		}
		return single(sourceIPPool, req, one.IPv4, one.IPv6), nil
	}
	v4, v6, err := annotation.NamespaceDefaultPools(ns.Annotations)
	if err != nil {
		return selection{}, fmt.Errorf("namespace %s: %w", ns.Name, err)
	}
	if len(v4)+len(v6) > 0 {
		return single(sourceNamespace, req, v4, v6), nil
	}
	if len(req.DefaultIPv4Pools)+len(req.DefaultIPv6Pools) > 0 {
		return single(sourceNetConf, req, req.DefaultIPv4Pools, req.DefaultIPv6Pools), nil
	}
	v4, v6 = pools.defaults()
	if len(v4)+len(v6) == 0 {
		return selection{}, fmt.Errorf("%w: no pool selection rules of any type are specified for pod %s/%s",
			ErrNoPool, pod.Namespace, pod.Name)
	}
	return single(sourceDefault, req, v4, v6), nil
}

func single(source string, req *AllocateRequest, v4, v6 []string) selection {
	return selection{source: source, nics: []nicPlan{{
		nic: req.IfName, cleanGateway: req.CleanGateway, v4: slices.Clone(v4), v6: slices.Clone(v6),
	}}}
}

// multiNICSelection plans every interface of the ippools annotation; the
// current one must be among them. Unnamed items are recorded as the
// current ifName for its item, eth0 for item 0, and for item i the
// interface network i of the pod's Multus annotation names, or net<i>.
func multiNICSelection(pod *corev1.Pod, multi annotation.IPPools, ifName string, err error) (selection, error) {
	if err != nil {
		return selection{}, podAnnotationError(pod, err)
	}
	var nets []annotation.NetworkSelection
	if !multi.Named() {
		if nets, _, err = annotation.Lookup(pod.Annotations, annotation.KeyMultusNetworks, annotation.ParseMultusNetworks); err != nil {
			return selection{}, podAnnotationError(pod, err)
		}
	}
	cur, err := multi.ForPodNIC(ifName, nets)
	if err != nil {
		return selection{}, podAnnotationError(pod, err)
	}
	sel := selection{source: sourceIPPools, nics: make([]nicPlan, len(multi))}
	for i, item := range multi {
		name := item.Interface
		switch {
		case multi.Named():
		case i == cur.Index:
			name = ifName
		default:
			name = annotation.UnnamedNICName(i, nets)
		}
		sel.nics[i] = nicPlan{nic: name, cleanGateway: item.CleanGateway,
			v4: slices.Clone(item.IPv4), v6: slices.Clone(item.IPv6)}
	}
	return sel, nil
}

func podAnnotationError(pod *corev1.Pod, err error) error {
	return fmt.Errorf("pod %s/%s: %w", pod.Namespace, pod.Name, err)
}

// describe lists the plan for error messages.
func (n *nicPlan) describe() string {
	return fmt.Sprintf("interface %s (IPv4 %s, IPv6 %s)", n.nic,
		strings.Join(n.patterns4, ","), strings.Join(n.patterns6, ","))
}
