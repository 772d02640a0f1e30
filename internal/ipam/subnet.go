// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package ipam

import (
	"context"
	"errors"
	"fmt"

	corev1 "k8s.io/api/core/v1"

	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
	"github.com/spiderpool-go/spiderpool/internal/annotation"
)

// sourceSubnet is the strongest selection source: the pod's application
// asks for SpiderSubnet auto-created pools (docs/reference/behaviour.md
// §1.4 #1).
const sourceSubnet = "SpiderSubnet auto-created pools"

// ErrSubnetFeatureOff is returned for a pod that asks for a SpiderSubnet
// while enableSpiderSubnet or enableAutoPoolForApplication is off; the
// message names the switch. Spiderpool ignores the annotation when the
// first is off and hands out a default pool's address, on another network.
var ErrSubnetFeatureOff = errors.New("SpiderSubnet auto-created pools are switched off")

// ErrSubnetBarePod is returned for a pod without a controller that asks
// for a SpiderSubnet: an auto-created pool belongs to an application.
var ErrSubnetBarePod = errors.New("a pod without a controller cannot use a SpiderSubnet")

// subnetRequest is what a pod's annotations ask of SpiderSubnets.
type subnetRequest struct {
	key     string // the annotation the items come from
	items   []annotation.Subnet
	size    annotation.IPNumber
	sized   bool // the ippool-ip-number annotation is present
	reclaim bool
}

// parseSubnetRequest reads ipam.spidernet.io/subnets, else
// ipam.spidernet.io/subnet, with the ippool-ip-number and ippool-reclaim
// annotations; nil when the pod asks for no subnet. A malformed annotation
// fails with its *annotation.Error.
func parseSubnetRequest(pod *corev1.Pod) (*subnetRequest, error) {
	req := &subnetRequest{reclaim: true}
	if items, ok, err := annotation.Lookup(pod.Annotations, annotation.KeySubnets, annotation.ParseSubnets); err != nil {
		return nil, err
	} else if ok {
		req.key, req.items = annotation.KeySubnets, items
	}
	if req.items == nil {
		one, ok, err := annotation.Lookup(pod.Annotations, annotation.KeySubnet, annotation.ParseSubnet)
		if err != nil || !ok {
			return nil, err
		}
		req.key, req.items = annotation.KeySubnet, []annotation.Subnet{one}
	}
	var err error
	if req.size, req.sized, err = annotation.Lookup(pod.Annotations, annotation.KeyIPPoolIPNumber, annotation.ParseIPNumber); err != nil {
		return nil, err
	}
	if reclaim, ok, err := annotation.Lookup(pod.Annotations, annotation.KeyIPPoolReclaim, annotation.ParseReclaim); err != nil {
		return nil, err
	} else if ok {
		req.reclaim = reclaim
	}
	return req, nil
}

// checkSubnetSwitches fails a pod that asks for a subnet (through key)
// while a switch is off, naming it.
func (s *Service) checkSubnetSwitches(key string) error {
	for _, sw := range []struct {
		on   bool
		name string
	}{{s.cfg.EnableSpiderSubnet, "enableSpiderSubnet"}, {s.cfg.EnableAutoPoolForApplication, "enableAutoPoolForApplication"}} {
		if !sw.on {
			return fmt.Errorf("%w: the pod's application asks for a subnet with annotation %s, but %s is false "+
				"in the spiderpool-conf ConfigMap; set it to true (Helm: ipam.spiderSubnet.enable and "+
				"ipam.spiderSubnet.autoPool.enable) and restart the agents, or name pools with %s instead",
				ErrSubnetFeatureOff, key, sw.name, annotation.KeyIPPool)
		}
	}
	return nil
}

// autoPoolWant is one auto-created pool an ADD needs: the pool of subnet
// for interface nic and family version.
type autoPoolWant struct {
	nic     string
	version int64
	subnet  string
}

// wants lists the pools of interface nic, one per enabled family, from
// the first subnet name of each family (as Spiderpool does).
func (r *subnetRequest) wants(cfg Config, nic string) []autoPoolWant {
	var out []autoPoolWant
	for _, item := range r.items {
		if item.Interface != nic {
			continue
		}
		if cfg.EnableIPv4 && len(item.IPv4) > 0 {
			out = append(out, autoPoolWant{nic: item.Interface, version: spiderpoolv2beta1.IPv4, subnet: item.IPv4[0]})
		}
		if cfg.EnableIPv6 && len(item.IPv6) > 0 {
			out = append(out, autoPoolWant{nic: item.Interface, version: spiderpoolv2beta1.IPv6, subnet: item.IPv6[0]})
		}
	}
	return out
}

// hasNIC reports whether an item of the request serves interface nic.
func (r *subnetRequest) hasNIC(nic string) bool {
	for _, item := range r.items {
		if item.Interface == nic {
			return true
		}
	}
	return false
}

// autoPoolSelection returns the selection of a pod whose application asks
// for SpiderSubnet auto-created pools, once every pool is in the cache at
// its desired size, with the pools read then; nil when the pod asks for no
// subnet. Pods of third-party controllers get their pools made here.
func (a *allocation) autoPoolSelection(ctx context.Context) (*selection, *poolSet, error) {
	pod, s := a.pc.pod, a.svc
	req, err := parseSubnetRequest(pod)
	if err != nil || req == nil {
		return nil, nil, podErr(pod, err)
	}
	if err := s.checkSubnetSwitches(req.key); err != nil {
		return nil, nil, podAnnotationError(pod, err)
	}
	if a.pc.top.Kind == kindPod && a.pc.top.APIVersion == "v1" {
		return nil, nil, fmt.Errorf("pod %s/%s: %w: annotation %s needs a Deployment, StatefulSet, DaemonSet, Job, "+
			"CronJob, ReplicaSet or third-party controller; create the pod through one, or name pools with %s",
			pod.Namespace, pod.Name, ErrSubnetBarePod, req.key, annotation.KeyIPPool)
	}
	if !req.hasNIC(a.req.IfName) {
		return nil, nil, podAnnotationError(pod, fmt.Errorf("%w: annotation %s lists no item for interface %s; "+
			"add one (an item without \"interface\" means eth0)", errBadSubnetNIC, req.key, a.req.IfName))
	}
	wants := req.wants(s.cfg, a.req.IfName)
	pools, names, err := a.readyAutoPools(ctx, req, wants)
	if err != nil {
		return nil, nil, fmt.Errorf("pod %s/%s: %w", pod.Namespace, pod.Name, err)
	}
	return a.subnetPlan(wants, names), pools, nil
}

// errBadSubnetNIC is wrapped when the current interface has no item.
var errBadSubnetNIC = errors.New("interface not in subnet annotation")

// subnetPlan plans the current interface with its auto pools. Each
// interface of the annotation is allocated by its own ADD, with its own
// network's clean_gateway, as Spiderpool does; the endpoint gains one
// entry per interface.
func (a *allocation) subnetPlan(wants []autoPoolWant, names []string) *selection {
	plan := nicPlan{nic: a.req.IfName, cleanGateway: a.req.CleanGateway}
	for i, w := range wants {
		if w.version == spiderpoolv2beta1.IPv4 {
			plan.v4, plan.patterns4 = []string{names[i]}, []string{names[i]}
		} else {
			plan.v6, plan.patterns6 = []string{names[i]}, []string{names[i]}
		}
	}
	return &selection{source: sourceSubnet, nics: []nicPlan{plan}}
}

// podErr wraps a non-nil err with the pod.
func podErr(pod *corev1.Pod, err error) error {
	if err == nil {
		return nil
	}
	return podAnnotationError(pod, err)
}
