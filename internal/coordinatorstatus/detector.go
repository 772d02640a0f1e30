// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package coordinatorstatus

import (
	"context"
	"errors"
	"fmt"

	networkingv1 "k8s.io/api/networking/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	"sigs.k8s.io/controller-runtime/pkg/client"

	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
)

// Detector computes a SpiderCoordinator's status from the cluster.
type Detector struct {
	// Reader reads ConfigMaps, pods, ServiceCIDRs and the Calico and
	// Cilium pools, straight from the API server (no informers: the
	// controller resyncs).
	Reader client.Reader
	// CNIConfigDir holds the node's CNI configurations, for podCIDRType
	// auto (SPIDERPOOL_CNI_CONFIG_DIR).
	CNIConfigDir string
	// CiliumConfigMap is "<namespace>/<name>" of Cilium's ConfigMap
	// (SPIDERPOOL_CILIUM_CONFIGMAP_NAMESPACE_NAME).
	CiliumConfigMap string
}

// notReadyError is a reason for phase NotReady: the cluster does not say
// what the status needs, or says it wrongly.
type notReadyError struct{ reason string }

func (e *notReadyError) Error() string { return e.reason }

func notReady(format string, args ...any) error {
	return &notReadyError{reason: fmt.Sprintf(format, args...)}
}

func isNotReady(err error) bool {
	var nr *notReadyError
	return errors.As(err, &nr)
}

// Status returns the status cr should have: Synced with the CIDRs, or
// NotReady with the reason. An error is returned only when the API server
// could not be read; then the status should be left as it is.
func (d *Detector) Status(ctx context.Context, cr *spiderpoolv2beta1.SpiderCoordinator) (spiderpoolv2beta1.CoordinatorStatus, error) {
	st, err := d.status(ctx, cr)
	if isNotReady(err) {
		return spiderpoolv2beta1.CoordinatorStatus{Phase: spiderpoolv2beta1.CoordinatorPhaseNotReady, Reason: err.Error(),
			OverlayPodCIDR: cr.Status.OverlayPodCIDR, ServiceCIDR: cr.Status.ServiceCIDR}, nil
	}
	return st, err
}

func (d *Detector) status(ctx context.Context, cr *spiderpoolv2beta1.SpiderCoordinator) (spiderpoolv2beta1.CoordinatorStatus, error) {
	var st spiderpoolv2beta1.CoordinatorStatus
	if cr.Spec.PodCIDRType == nil {
		return st, notReady("spec.podCIDRType is not set; set it to auto, cluster, calico, cilium or none")
	}
	typ := *cr.Spec.PodCIDRType
	if typ == spiderpoolv2beta1.PodCIDRTypeAuto {
		var err error
		if typ, err = d.defaultCNIType(); err != nil {
			return st, err
		}
	}
	cluster, clusterErr := d.clusterCIDRs(ctx)
	if clusterErr != nil && !isNotReady(clusterErr) {
		return st, clusterErr
	}
	var err error
	if st.ServiceCIDR, err = d.serviceCIDRs(ctx, cluster, clusterErr); err != nil {
		return st, err
	}
	if st.OverlayPodCIDR, err = d.overlayCIDRs(ctx, typ, cluster, clusterErr); err != nil {
		return st, err
	}
	st.Phase = spiderpoolv2beta1.CoordinatorPhaseSynced
	return st, nil
}

// overlayCIDRs are the pod CIDRs of the cluster's CNI, by type.
func (d *Detector) overlayCIDRs(ctx context.Context, typ string, cluster clusterCIDRs, clusterErr error) ([]string, error) {
	switch typ {
	case spiderpoolv2beta1.PodCIDRTypeNone:
		return []string{}, nil
	case spiderpoolv2beta1.PodCIDRTypeCluster:
		return clusterPod(cluster, clusterErr)
	case spiderpoolv2beta1.PodCIDRTypeCalico:
		return d.calicoCIDRs(ctx)
	case spiderpoolv2beta1.PodCIDRTypeCilium:
		return d.ciliumCIDRs(ctx, cluster, clusterErr)
	default:
		return nil, notReady("podCIDRType %q is unknown; use auto, cluster, calico, cilium or none", typ)
	}
}

// clusterPod is the cluster's pod CIDR, required.
func clusterPod(cluster clusterCIDRs, clusterErr error) ([]string, error) {
	if clusterErr != nil {
		return nil, notReady("%v", clusterErr)
	}
	if len(cluster.pod) == 0 {
		return nil, notReady("the cluster's pod CIDR is unknown: neither %s/%s (podSubnet) nor a kube-controller-manager pod (%s) gives it",
			kubeadmNamespace, kubeadmName, flagClusterCIDR)
	}
	return cluster.pod, nil
}

// serviceCIDRs are those of the ServiceCIDR objects where the API serves
// them, else the cluster's.
func (d *Detector) serviceCIDRs(ctx context.Context, cluster clusterCIDRs, clusterErr error) ([]string, error) {
	list := &networkingv1.ServiceCIDRList{}
	err := d.Reader.List(ctx, list)
	switch {
	case err == nil && len(list.Items) > 0:
		var out []string
		for _, sc := range list.Items {
			if sc.DeletionTimestamp.IsZero() {
				out = append(out, sc.Spec.CIDRs...)
			}
		}
		return out, nil
	case err != nil && !meta.IsNoMatchError(err) && !isNotServed(err):
		return nil, fmt.Errorf("list ServiceCIDRs: %w", err)
	}
	if clusterErr != nil {
		return nil, notReady("%v", clusterErr)
	}
	if len(cluster.service) == 0 {
		return nil, notReady("the cluster's service CIDR is unknown: no ServiceCIDR object, and neither %s/%s (serviceSubnet) nor a kube-controller-manager pod (%s) gives it",
			kubeadmNamespace, kubeadmName, flagServiceRange)
	}
	return cluster.service, nil
}
