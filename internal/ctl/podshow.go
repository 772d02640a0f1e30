// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package ctl

import (
	"context"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
)

// NICAddresses is one interface of a pod as its SpiderEndpoint records it.
type NICAddresses struct {
	// NIC is the interface name.
	NIC string `json:"interface"`
	// IPv4 is the IPv4 address with prefix length.
	IPv4 string `json:"ipv4,omitempty"`
	// IPv4Pool is its pool.
	IPv4Pool string `json:"ipv4Pool,omitempty"`
	// IPv4Gateway is its gateway.
	IPv4Gateway string `json:"ipv4Gateway,omitempty"`
	// IPv6 is the IPv6 address with prefix length.
	IPv6 string `json:"ipv6,omitempty"`
	// IPv6Pool is its pool.
	IPv6Pool string `json:"ipv6Pool,omitempty"`
	// IPv6Gateway is its gateway.
	IPv6Gateway string `json:"ipv6Gateway,omitempty"`
	// Vlan is the recorded vlan (deprecated, 0).
	Vlan int64 `json:"vlan,omitempty"`
	// CleanGateway says no default route is set for the interface.
	CleanGateway bool `json:"cleanGateway,omitempty"`
	// Routes are the interface's routes as "dst via gw".
	Routes []string `json:"routes,omitempty"`
}

// PodReport is the report of "pod show".
type PodReport struct {
	// Pod is "namespace/name".
	Pod string `json:"pod"`
	// PodUID is the UID of the pod that exists now, "" if none.
	PodUID string `json:"podUid,omitempty"`
	// Node is the node the pod is bound to.
	Node string `json:"node,omitempty"`
	// Phase is the pod's phase.
	Phase string `json:"phase,omitempty"`
	// EndpointUID is the UID the SpiderEndpoint records; "" without one.
	EndpointUID string `json:"endpointUid,omitempty"`
	// Owner is the endpoint's owner controller, as "Kind/name".
	Owner string `json:"owner,omitempty"`
	// Since is the endpoint's creation time.
	Since *metav1.Time `json:"since,omitempty"`
	// NICs are the interfaces the endpoint records.
	NICs []NICAddresses `json:"interfaces"`
	// Records are the pool records that name the pod, of any UID.
	Records []Record `json:"records"`
}

// ShowPod reports the pod ref: its endpoint's interfaces and the pool
// records that name it.
func ShowPod(ctx context.Context, r client.Reader, s *Snapshot, ref PodRef) (PodReport, error) {
	rep := PodReport{Pod: ref.String(), NICs: []NICAddresses{}, Records: []Record{}}
	pod := &corev1.Pod{}
	err := r.Get(ctx, client.ObjectKey{Namespace: ref.Namespace, Name: ref.Name}, pod)
	switch {
	case apierrors.IsNotFound(err):
	case err != nil:
		return PodReport{}, fmt.Errorf("read pod %s: %w", ref, err)
	default:
		rep.PodUID, rep.Node, rep.Phase = string(pod.UID), pod.Spec.NodeName, string(pod.Status.Phase)
	}
	for i := range s.Endpoints {
		if ep := &s.Endpoints[i]; ep.Namespace == ref.Namespace && ep.Name == ref.Name {
			fillEndpoint(&rep, ep)
		}
	}
	records, _ := s.Records()
	for _, rec := range records {
		if rec.Namespace == ref.Namespace && rec.Name == ref.Name {
			rep.Records = append(rep.Records, rec)
		}
	}
	return rep, nil
}

// fillEndpoint copies what the endpoint records into rep.
func fillEndpoint(rep *PodReport, ep *spiderpoolv2beta1.SpiderEndpoint) {
	cur := ep.Status.Current
	rep.EndpointUID, rep.Since = cur.UID, ep.CreationTimestamp.DeepCopy()
	if rep.Node == "" {
		rep.Node = cur.Node
	}
	if ep.Status.OwnerControllerType != "" {
		rep.Owner = ep.Status.OwnerControllerType + "/" + ep.Status.OwnerControllerName
	}
	for _, d := range cur.IPs {
		rep.NICs = append(rep.NICs, nicAddresses(d))
	}
}

func nicAddresses(d spiderpoolv2beta1.IPAllocationDetail) NICAddresses {
	n := NICAddresses{
		NIC: d.NIC, IPv4: deref(d.IPv4), IPv4Pool: deref(d.IPv4Pool), IPv4Gateway: deref(d.IPv4Gateway),
		IPv6: deref(d.IPv6), IPv6Pool: deref(d.IPv6Pool), IPv6Gateway: deref(d.IPv6Gateway),
		CleanGateway: d.CleanGateway != nil && *d.CleanGateway,
	}
	if d.Vlan != nil {
		n.Vlan = *d.Vlan
	}
	for _, rt := range d.Routes {
		n.Routes = append(n.Routes, rt.Dst+" via "+rt.Gw)
	}
	return n
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
