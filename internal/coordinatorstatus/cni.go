// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package coordinatorstatus

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/controller-runtime/pkg/client"

	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
)

// The pools of Calico and Cilium, read as unstructured objects so that
// neither project's Go types are needed.
var (
	CalicoIPPoolList     = schema.GroupVersionKind{Group: "crd.projectcalico.org", Version: "v1", Kind: "IPPoolList"}
	CiliumPodIPPoolList  = schema.GroupVersionKind{Group: "cilium.io", Version: "v2alpha1", Kind: "CiliumPodIPPoolList"}
	ciliumIPAMKey        = "ipam"
	ciliumClusterPoolV4  = "cluster-pool-ipv4-cidr"
	ciliumClusterPoolV6  = "cluster-pool-ipv6-cidr"
	multusConfigFragment = "00-multus"
)

// defaultCNIType maps the name of the node's default CNI network (the
// first .conf or .conflist by name, Multus's own skipped) to a
// podCIDRType; a directory without one gives none.
func (d *Detector) defaultCNIType() (string, error) {
	entries, err := os.ReadDir(d.CNIConfigDir)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return "", notReady("podCIDRType auto: read the CNI configuration directory %s: %v", d.CNIConfigDir, err)
	}
	names := make([]string, 0, len(entries))
	for _, e := range entries {
		ext := filepath.Ext(e.Name())
		if !e.IsDir() && (ext == ".conf" || ext == ".conflist") && !strings.Contains(e.Name(), multusConfigFragment) {
			names = append(names, e.Name())
		}
	}
	if len(names) == 0 {
		return spiderpoolv2beta1.PodCIDRTypeNone, nil
	}
	slices.Sort(names)
	data, err := os.ReadFile(filepath.Join(d.CNIConfigDir, names[0]))
	if err != nil {
		return "", notReady("podCIDRType auto: read %s: %v", names[0], err)
	}
	var conf struct {
		Name string `json:"name"`
	}
	if err := json.Unmarshal(data, &conf); err != nil {
		return "", notReady("podCIDRType auto: %s is not JSON: %v", names[0], err)
	}
	switch conf.Name {
	case "calico", "k8s-pod-network":
		return spiderpoolv2beta1.PodCIDRTypeCalico, nil
	case "cilium":
		return spiderpoolv2beta1.PodCIDRTypeCilium, nil
	case "flannel":
		return spiderpoolv2beta1.PodCIDRTypeCluster, nil
	default:
		return spiderpoolv2beta1.PodCIDRTypeNone, nil
	}
}

// pool is a Calico or Cilium pool's CIDRs and creation time.
type pool struct {
	created time.Time
	name    string
	cidrs   []string
}

// listPools lists an unstructured kind, refusing when its CRD is absent.
func (d *Detector) listPools(ctx context.Context, gvk schema.GroupVersionKind, cidrs func(map[string]any) []string) ([]string, error) {
	list := &unstructured.UnstructuredList{}
	list.SetGroupVersionKind(gvk)
	if err := d.Reader.List(ctx, list); err != nil {
		if meta.IsNoMatchError(err) || isNotServed(err) {
			return nil, notReady("%s.%s/%s is not served: is that CNI installed?", strings.TrimSuffix(gvk.Kind, "List"), gvk.Group, gvk.Version)
		}
		return nil, fmt.Errorf("list %s: %w", gvk.Kind, err)
	}
	pools := make([]pool, 0, len(list.Items))
	for _, item := range list.Items {
		if item.GetDeletionTimestamp() != nil {
			continue
		}
		pools = append(pools, pool{created: item.GetCreationTimestamp().Time, name: item.GetName(), cidrs: cidrs(item.Object)})
	}
	sort.SliceStable(pools, func(i, j int) bool {
		if !pools[i].created.Equal(pools[j].created) {
			return pools[i].created.Before(pools[j].created)
		}
		return pools[i].name < pools[j].name
	})
	out := []string{}
	for _, p := range pools {
		out = append(out, p.cidrs...)
	}
	return out, nil
}

// calicoCIDRs are spec.cidr of every Calico IPPool not being deleted,
// disabled ones included: their pods still run (Spiderpool #5738).
func (d *Detector) calicoCIDRs(ctx context.Context) ([]string, error) {
	return d.listPools(ctx, CalicoIPPoolList, func(o map[string]any) []string {
		cidr, _, _ := unstructured.NestedString(o, "spec", "cidr")
		if cidr == "" {
			return nil
		}
		return []string{cidr}
	})
}

// ciliumCIDRs follow the ipam mode of Cilium's ConfigMap.
func (d *Detector) ciliumCIDRs(ctx context.Context, cluster clusterCIDRs, clusterErr error) ([]string, error) {
	ns, name, ok := strings.Cut(d.CiliumConfigMap, "/")
	if !ok {
		return nil, notReady("SPIDERPOOL_CILIUM_CONFIGMAP_NAMESPACE_NAME %q is not <namespace>/<name>", d.CiliumConfigMap)
	}
	cm := &corev1.ConfigMap{}
	if err := d.Reader.Get(ctx, client.ObjectKey{Namespace: ns, Name: name}, cm); err != nil {
		if apierrors.IsNotFound(err) {
			return nil, notReady("podCIDRType cilium: ConfigMap %s not found", d.CiliumConfigMap)
		}
		return nil, fmt.Errorf("read ConfigMap %s: %w", d.CiliumConfigMap, err)
	}
	switch mode := cm.Data[ciliumIPAMKey]; mode {
	case "cluster-pool", "cluster-pool-v2beta":
		out, err := cidrList(cm.Data[ciliumClusterPoolV4]+" "+cm.Data[ciliumClusterPoolV6], d.CiliumConfigMap)
		if err != nil {
			return nil, notReady("%v", err)
		}
		return append([]string{}, out...), nil
	case "multi-pool":
		return d.listPools(ctx, CiliumPodIPPoolList, func(o map[string]any) []string {
			v4, _, _ := unstructured.NestedStringSlice(o, "spec", "ipv4", "cidrs")
			v6, _, _ := unstructured.NestedStringSlice(o, "spec", "ipv6", "cidrs")
			return append(v4, v6...)
		})
	case "kubernetes":
		return clusterPod(cluster, clusterErr)
	default:
		return nil, notReady("podCIDRType cilium: ipam mode %q of ConfigMap %s is not supported; supported are cluster-pool, multi-pool and kubernetes", mode, d.CiliumConfigMap)
	}
}

// isNotServed reports a 404 for a whole API (a group/version the API
// server does not serve).
func isNotServed(err error) bool {
	return apierrors.IsNotFound(err)
}
