// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package coordinatorstatus

import (
	"context"
	"fmt"
	"net/netip"
	"regexp"
	"strings"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// Where the cluster's own CIDRs are.
const (
	kubeadmNamespace = "kube-system"
	kubeadmName      = "kubeadm-config"
	kubeadmKey       = "ClusterConfiguration"
	kcmLabel         = "component"
	kcmLabelValue    = "kube-controller-manager"
	flagClusterCIDR  = "--cluster-cidr="
	flagServiceRange = "--service-cluster-ip-range="
)

var (
	podSubnetRe     = regexp.MustCompile(`(?m)^\s*podSubnet:\s*"?([^"\s]+)"?\s*$`)
	serviceSubnetRe = regexp.MustCompile(`(?m)^\s*serviceSubnet:\s*"?([^"\s]+)"?\s*$`)
)

// clusterCIDRs are the pod and service CIDRs the cluster was set up with.
type clusterCIDRs struct {
	pod, service []string
}

// clusterCIDRs reads kubeadm-config, else the kube-controller-manager
// pod's flags (each list from the first source that has it).
func (d *Detector) clusterCIDRs(ctx context.Context) (clusterCIDRs, error) {
	var out clusterCIDRs
	cm := &corev1.ConfigMap{}
	err := d.Reader.Get(ctx, client.ObjectKey{Namespace: kubeadmNamespace, Name: kubeadmName}, cm)
	switch {
	case err == nil:
		conf := cm.Data[kubeadmKey]
		if out.pod, err = subnets(podSubnetRe, conf, "podSubnet"); err != nil {
			return out, err
		}
		if out.service, err = subnets(serviceSubnetRe, conf, "serviceSubnet"); err != nil {
			return out, err
		}
	case !apierrors.IsNotFound(err):
		return out, fmt.Errorf("read %s/%s: %w", kubeadmNamespace, kubeadmName, err)
	}
	if len(out.pod) > 0 && len(out.service) > 0 {
		return out, nil
	}
	return d.kcmFlags(ctx, out)
}

// subnets extracts a comma list of CIDRs after key.
func subnets(re *regexp.Regexp, conf, key string) ([]string, error) {
	m := re.FindStringSubmatch(conf)
	if m == nil {
		return nil, nil
	}
	return cidrList(m[1], kubeadmName+" "+key)
}

// cidrList splits a comma (or space) list and checks each CIDR.
func cidrList(s, where string) ([]string, error) {
	var out []string
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' }) {
		p, err := netip.ParsePrefix(f)
		if err != nil {
			return nil, notReady("%s: %q is not a CIDR", where, f)
		}
		out = append(out, p.Masked().String())
	}
	return out, nil
}

// kcmFlags fills what kubeadm-config lacked from the flags of a
// kube-controller-manager pod: its first container's command, then args.
func (d *Detector) kcmFlags(ctx context.Context, out clusterCIDRs) (clusterCIDRs, error) {
	pods := &corev1.PodList{}
	if err := d.Reader.List(ctx, pods, client.MatchingLabels{kcmLabel: kcmLabelValue}); err != nil {
		return out, fmt.Errorf("list kube-controller-manager pods: %w", err)
	}
	for _, pod := range pods.Items {
		if len(pod.Spec.Containers) == 0 {
			continue
		}
		c := pod.Spec.Containers[0]
		for _, arg := range append(append([]string{}, c.Command...), c.Args...) {
			var err error
			switch {
			case len(out.pod) == 0 && strings.HasPrefix(arg, flagClusterCIDR):
				out.pod, err = cidrList(strings.TrimPrefix(arg, flagClusterCIDR), "kube-controller-manager "+flagClusterCIDR)
			case len(out.service) == 0 && strings.HasPrefix(arg, flagServiceRange):
				out.service, err = cidrList(strings.TrimPrefix(arg, flagServiceRange), "kube-controller-manager "+flagServiceRange)
			}
			if err != nil {
				return out, err
			}
		}
	}
	return out, nil
}
