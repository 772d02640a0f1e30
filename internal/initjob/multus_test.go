// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package initjob

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
	"github.com/spiderpool-go/spiderpool/internal/config"
)

func TestMultusConfig(t *testing.T) {
	custom := func(name, ns string) *spiderpoolv2beta1.SpiderMultusConfig {
		return &spiderpoolv2beta1.SpiderMultusConfig{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns},
			Spec: spiderpoolv2beta1.MultusCNIConfigSpec{CNIType: ptr.To("custom"), EnableCoordinator: ptr.To(false)}}
	}
	typed := func(name, cniType string, set func(*spiderpoolv2beta1.MultusCNIConfigSpec)) *spiderpoolv2beta1.SpiderMultusConfig {
		smc := custom(name, "kube-system")
		smc.Spec.CNIType = ptr.To(cniType)
		set(&smc.Spec)
		return smc
	}
	calico := custom("calico", "kube-system")
	calico.Annotations = map[string]string{spiderpoolv2beta1.AnnoMultusConfigName: "k8s-pod-network"}
	tests := []struct {
		name  string
		cni   string // SPIDERPOOL_INIT_DEFAULT_CNI_NAME
		ns    string // SPIDERPOOL_INIT_DEFAULT_CNI_NAMESPACE
		files map[string]string
		want  *spiderpoolv2beta1.SpiderMultusConfig
	}{
		{name: "named CNI is custom, whatever the directory holds", cni: "cilium", ns: "kube-system",
			files: map[string]string{"10-m.conflist": macvlanConf}, want: custom("cilium", "kube-system")},
		{name: "no namespace: the release namespace", cni: "flannel", want: custom("flannel", "spiderpool")},
		{name: "named k8s-pod-network is calico", cni: "k8s-pod-network", ns: "kube-system", want: calico},
		{name: "nothing found: default", ns: "kube-system", files: map[string]string{"00-multus.conf": macvlanConf},
			want: custom("default", "kube-system")},
		{name: "calico file", ns: "kube-system",
			files: map[string]string{"10-calico.conflist": `{"name":"k8s-pod-network","plugins":[{"type":"calico"}]}`}, want: calico},
		{name: "macvlan file", ns: "kube-system", files: map[string]string{"10-m.conflist": macvlanConf},
			want: typed("macvlan-eth0", "macvlan", func(s *spiderpoolv2beta1.MultusCNIConfigSpec) {
				s.Macvlan = &spiderpoolv2beta1.MacvlanConfig{Master: []string{"eth0"}}
			})},
		{name: "ipvlan file", ns: "kube-system", files: map[string]string{"10-i.conf": `{"name":"ipv","type":"ipvlan","master":"eth1"}`},
			want: typed("ipv", "ipvlan", func(s *spiderpoolv2beta1.MultusCNIConfigSpec) {
				s.IPvlan = &spiderpoolv2beta1.IPvlanConfig{Master: []string{"eth1"}}
			})},
		{name: "ipoib file", ns: "kube-system", files: map[string]string{"10-i.conf": `{"name":"ib","type":"ipoib","master":"ib0"}`},
			want: typed("ib", "ipoib", func(s *spiderpoolv2beta1.MultusCNIConfigSpec) {
				s.IPoIB = &spiderpoolv2beta1.IPoIBConfig{Master: "ib0"}
			})},
		{name: "macvlan without master is custom", ns: "kube-system",
			files: map[string]string{"10-m.conf": `{"name":"mv","type":"macvlan"}`}, want: custom("mv", "kube-system")},
		{name: "sriov is custom: no resource name in a CNI file", ns: "kube-system",
			files: map[string]string{"10-s.conf": `{"name":"sriov-net","type":"sriov"}`}, want: custom("sriov-net", "kube-system")},
		{name: "ib-sriov is custom too", ns: "kube-system",
			files: map[string]string{"10-s.conf": `{"name":"ib-net","type":"ib-sriov"}`}, want: custom("ib-net", "kube-system")},
		{name: "any other type is custom", ns: "kube-system",
			files: map[string]string{"10-b.conf": `{"name":"cbr0","type":"bridge"}`}, want: custom("cbr0", "kube-system")},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := config.InitEnv{Namespace: "spiderpool", DefaultCNIName: tc.cni, DefaultCNINamespace: tc.ns,
				DefaultCNIDir: writeFiles(t, tc.files)}
			got, err := multusConfig(&e)
			if err != nil {
				t.Fatalf("multusConfig() error = %v", err)
			}
			if diff := cmp.Diff(tc.want, got.desired.obj); diff != "" {
				t.Errorf("multusConfig() mismatch (-want +got):\n%s", diff)
			}
			if errs := validateAll([]desired{got.desired}, false); errs != nil {
				t.Errorf("the webhook rules refuse it: %v", errs)
			}
		})
	}
}
