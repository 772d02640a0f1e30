// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package coordinatorstatus_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
	"github.com/spiderpool-go/spiderpool/internal/coordinatorstatus"
	"github.com/spiderpool-go/spiderpool/test/utils"
)

// noServiceCIDRAPI is the API server of a cluster without the ServiceCIDR
// API (before Kubernetes 1.33): a fault-injecting reader.
type noServiceCIDRAPI struct{ client.Reader }

func (r noServiceCIDRAPI) List(ctx context.Context, list client.ObjectList, opts ...client.ListOption) error {
	if _, ok := list.(*networkingv1.ServiceCIDRList); ok {
		return &meta.NoKindMatchError{GroupKind: schema.GroupKind{Group: "networking.k8s.io", Kind: "ServiceCIDR"}}
	}
	return r.Reader.List(ctx, list, opts...)
}

func create(t *testing.T, obj client.Object) {
	t.Helper()
	if err := api.Create(t.Context(), obj); err != nil {
		t.Fatalf("create %T %s: %v", obj, obj.GetName(), err)
	}
	t.Cleanup(func() { _ = api.Delete(context.WithoutCancel(t.Context()), obj) })
}

func configMap(ns, name string, data map[string]string) *corev1.ConfigMap {
	return &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name}, Data: data}
}

func coordinatorOf(typ string) *spiderpoolv2beta1.SpiderCoordinator {
	return &spiderpoolv2beta1.SpiderCoordinator{ObjectMeta: metav1.ObjectMeta{Name: "default"},
		Spec: spiderpoolv2beta1.CoordinatorSpec{PodCIDRType: ptr.To(typ)}}
}

func status(t *testing.T, d *coordinatorstatus.Detector, typ string) spiderpoolv2beta1.CoordinatorStatus {
	t.Helper()
	st, err := d.Status(t.Context(), coordinatorOf(typ))
	if err != nil {
		t.Fatalf("Status: %v", err)
	}
	return st
}

func synced(overlay, service []string) spiderpoolv2beta1.CoordinatorStatus {
	return spiderpoolv2beta1.CoordinatorStatus{Phase: "Synced", OverlayPodCIDR: overlay, ServiceCIDR: service}
}

// apiServiceCIDR is what envtest's API server reports in its ServiceCIDR
// object (its --service-cluster-ip-range).
func apiServiceCIDR(t *testing.T) []string {
	t.Helper()
	var out []string
	utils.Eventually(t, 30*time.Second, func() error {
		list := &networkingv1.ServiceCIDRList{}
		if err := api.List(t.Context(), list); err != nil {
			return err
		}
		out = nil
		for _, sc := range list.Items {
			out = append(out, sc.Spec.CIDRs...)
		}
		if len(out) == 0 {
			return os.ErrNotExist
		}
		return nil
	})
	return out
}

// TestCluster: kubeadm-config gives the CIDRs, else the
// kube-controller-manager pod's flags; the ServiceCIDR objects win for
// services where the API serves them; neither source gives NotReady.
func TestCluster(t *testing.T) {
	d := &coordinatorstatus.Detector{Reader: api}
	old := noServiceCIDRAPI{api}
	got := status(t, &coordinatorstatus.Detector{Reader: old}, "cluster")
	if got.Phase != "NotReady" || !strings.Contains(got.Reason, "kubeadm-config") {
		t.Errorf("without a source: %+v, want NotReady naming kubeadm-config", got)
	}

	create(t, configMap("kube-system", "kubeadm-config", map[string]string{"ClusterConfiguration": "apiVersion: kubeadm.k8s.io/v1beta3\nnetworking:\n  dnsDomain: cluster.local\n  podSubnet: 10.244.0.0/16,fd00:244::/56\n  serviceSubnet: \"10.96.0.0/12\"\n"}))
	if diff := cmp.Diff(synced([]string{"10.244.0.0/16", "fd00:244::/56"}, []string{"10.96.0.0/12"}),
		status(t, &coordinatorstatus.Detector{Reader: old}, "cluster")); diff != "" {
		t.Errorf("from kubeadm-config (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(synced([]string{"10.244.0.0/16", "fd00:244::/56"}, apiServiceCIDR(t)), status(t, d, "cluster")); diff != "" {
		t.Errorf("with the ServiceCIDR API (-want +got):\n%s", diff)
	}
}

func TestKubeControllerManagerFlags(t *testing.T) {
	pod := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Namespace: "kube-system", Name: "kube-controller-manager-n1",
		Labels: map[string]string{"component": "kube-controller-manager"}},
		Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "kcm", Image: "kcm",
			Command: []string{"kube-controller-manager", "--cluster-cidr=10.245.0.0/16"},
			Args:    []string{"--service-cluster-ip-range=10.97.0.0/16,fd97::/108"}}}}}
	create(t, pod)
	got := status(t, &coordinatorstatus.Detector{Reader: noServiceCIDRAPI{api}}, "cluster")
	if diff := cmp.Diff(synced([]string{"10.245.0.0/16"}, []string{"10.97.0.0/16", "fd97::/108"}), got); diff != "" {
		t.Errorf("from the kube-controller-manager pod (-want +got):\n%s", diff)
	}
}

func pool(gvk schema.GroupVersionKind, name string, spec map[string]any) *unstructured.Unstructured {
	u := &unstructured.Unstructured{Object: map[string]any{"spec": spec}}
	u.SetGroupVersionKind(gvk)
	u.SetName(name)
	return u
}

// TestCalico: every IPPool's CIDR, the disabled ones too, by creation.
func TestCalico(t *testing.T) {
	ippool := schema.GroupVersionKind{Group: "crd.projectcalico.org", Version: "v1", Kind: "IPPool"}
	create(t, pool(ippool, "b-default", map[string]any{"cidr": "10.233.64.0/18"}))
	create(t, pool(ippool, "a-old-disabled", map[string]any{"cidr": "10.234.0.0/18", "disabled": true}))
	got := status(t, &coordinatorstatus.Detector{Reader: api}, "calico")
	// Both were created within the same second or one after the other:
	// either order is by creation time (then name).
	want := [][]string{{"10.234.0.0/18", "10.233.64.0/18"}, {"10.233.64.0/18", "10.234.0.0/18"}}
	if got.Phase != "Synced" || (!cmp.Equal(got.OverlayPodCIDR, want[0]) && !cmp.Equal(got.OverlayPodCIDR, want[1])) {
		t.Errorf("Calico: %+v, want Synced with both pools' CIDRs", got)
	}
}

// TestCilium: by the ipam mode of cilium-config.
func TestCilium(t *testing.T) {
	d := &coordinatorstatus.Detector{Reader: api, CiliumConfigMap: "kube-system/cilium-config"}
	if got := status(t, d, "cilium"); got.Phase != "NotReady" || !strings.Contains(got.Reason, "cilium-config not found") {
		t.Errorf("without cilium-config: %+v", got)
	}
	cm := configMap("kube-system", "cilium-config", map[string]string{"ipam": "cluster-pool",
		"cluster-pool-ipv4-cidr": "10.0.128.0/17", "cluster-pool-ipv6-cidr": "fd00:10::/104"})
	create(t, cm)
	if got := status(t, d, "cilium"); !cmp.Equal(got.OverlayPodCIDR, []string{"10.0.128.0/17", "fd00:10::/104"}) {
		t.Errorf("cluster-pool: %+v", got)
	}
	podPool := schema.GroupVersionKind{Group: "cilium.io", Version: "v2alpha1", Kind: "CiliumPodIPPool"}
	create(t, pool(podPool, "blue", map[string]any{"ipv4": map[string]any{"cidrs": []any{"10.20.0.0/16"}, "maskSize": int64(24)}}))
	setIPAM(t, cm, "multi-pool")
	if got := status(t, d, "cilium"); !cmp.Equal(got.OverlayPodCIDR, []string{"10.20.0.0/16"}) {
		t.Errorf("multi-pool: %+v", got)
	}
	setIPAM(t, cm, "eni")
	if got := status(t, d, "cilium"); got.Phase != "NotReady" || !strings.Contains(got.Reason, `"eni"`) {
		t.Errorf("eni: %+v", got)
	}
}

func setIPAM(t *testing.T, cm *corev1.ConfigMap, mode string) {
	t.Helper()
	if err := api.Get(t.Context(), client.ObjectKeyFromObject(cm), cm); err != nil {
		t.Fatal(err)
	}
	cm.Data["ipam"] = mode
	if err := api.Update(t.Context(), cm); err != nil {
		t.Fatal(err)
	}
}

// TestAutoAndNone: auto follows the first CNI configuration that is not
// Multus's; none has no pod CIDR.
func TestAutoAndNone(t *testing.T) {
	dir := t.TempDir()
	for name, doc := range map[string]string{"00-multus.conf": `{"name":"multus-cni-network"}`, "10-flannel.conflist": `{"name":"flannel"}`, "20-x.conf": `{"name":"calico"}`} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(doc), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	create(t, configMap("kube-system", "kubeadm-config", map[string]string{"ClusterConfiguration": "podSubnet: 10.244.0.0/16\nserviceSubnet: 10.96.0.0/12\n"}))
	d := &coordinatorstatus.Detector{Reader: api, CNIConfigDir: dir}
	if got := status(t, d, "auto"); !cmp.Equal(got.OverlayPodCIDR, []string{"10.244.0.0/16"}) {
		t.Errorf("auto with flannel first: %+v, want the cluster's pod CIDR", got)
	}
	if got := status(t, d, "none"); got.Phase != "Synced" || got.OverlayPodCIDR == nil || len(got.OverlayPodCIDR) != 0 {
		t.Errorf("none: %+v, want Synced with an empty list", got)
	}
}
