// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package initjob

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
	"github.com/spiderpool-go/spiderpool/internal/config"
)

const macvlanConf = `{"cniVersion":"0.3.1","name":"macvlan-eth0","plugins":[{"type":"macvlan","master":"eth0","ipam":{"type":"spiderpool"}}]}`

// buildObjects parses e and builds the Job's objects.
func buildObjects(t *testing.T, e env) ([]client.Object, error) {
	t.Helper()
	parsed, err := config.ParseInitEnv(e.lookup)
	if err != nil {
		return nil, err
	}
	j := &Job{Env: parsed}
	objs, err := j.objects(t.Context())
	out := make([]client.Object, 0, len(objs))
	for _, d := range objs {
		out = append(out, d.obj)
	}
	return out, err
}

func TestObjectsFromChartEnv(t *testing.T) {
	dir := writeFiles(t, map[string]string{"10-macvlan.conflist": macvlanConf})
	got, err := buildObjects(t, chartEnv(dir))
	if err != nil {
		t.Fatalf("objects() error = %v", err)
	}
	v4, v6 := int64(4), int64(6)
	want := []client.Object{
		&spiderpoolv2beta1.SpiderCoordinator{ObjectMeta: metav1.ObjectMeta{Name: "default"},
			Spec: spiderpoolv2beta1.CoordinatorSpec{Mode: ptr.To("auto"), PodCIDRType: ptr.To("auto"),
				HijackCIDR: []string{"169.254.0.0/16"}, TunePodRoutes: ptr.To(true)}},
		&spiderpoolv2beta1.SpiderSubnet{ObjectMeta: metav1.ObjectMeta{Name: "default-v4-subnet"},
			Spec: spiderpoolv2beta1.SubnetSpec{IPVersion: &v4, Subnet: "172.18.0.0/16",
				IPs: []string{"172.18.40.40-172.18.40.200", "172.18.40.250"}, Gateway: ptr.To("172.18.0.1")}},
		&spiderpoolv2beta1.SpiderSubnet{ObjectMeta: metav1.ObjectMeta{Name: "default-v6-subnet"},
			Spec: spiderpoolv2beta1.SubnetSpec{IPVersion: &v6, Subnet: "fc00:f853:ccd:e793::/64",
				IPs: []string{"fc00:f853:ccd:e793::40-fc00:f853:ccd:e793::200"}, Gateway: ptr.To("fc00:f853:ccd:e793::1")}},
		&spiderpoolv2beta1.SpiderIPPool{ObjectMeta: metav1.ObjectMeta{Name: "default-v4-ippool"},
			Spec: spiderpoolv2beta1.IPPoolSpec{IPVersion: &v4, Subnet: "172.18.0.0/16", Default: ptr.To(true),
				IPs: []string{"172.18.40.40-172.18.40.200", "172.18.40.250"}, Gateway: ptr.To("172.18.0.1")}},
		&spiderpoolv2beta1.SpiderIPPool{ObjectMeta: metav1.ObjectMeta{Name: "default-v6-ippool"},
			Spec: spiderpoolv2beta1.IPPoolSpec{IPVersion: &v6, Subnet: "fc00:f853:ccd:e793::/64", Default: ptr.To(true),
				IPs: []string{"fc00:f853:ccd:e793::40-fc00:f853:ccd:e793::200"}, Gateway: ptr.To("fc00:f853:ccd:e793::1")}},
		&spiderpoolv2beta1.SpiderMultusConfig{ObjectMeta: metav1.ObjectMeta{Name: "macvlan-eth0", Namespace: "kube-system"},
			Spec: spiderpoolv2beta1.MultusCNIConfigSpec{CNIType: ptr.To("macvlan"), EnableCoordinator: ptr.To(false),
				Macvlan: &spiderpoolv2beta1.MacvlanConfig{Master: []string{"eth0"}}}},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("objects() mismatch (-want +got):\n%s", diff)
	}
}

func TestObjectsOnlyWhatIsNamed(t *testing.T) {
	e := chartEnv("").with(config.EnvInitCoordinatorName, "", config.EnvInitIPv4SubnetName, "",
		config.EnvInitIPv6SubnetName, "", config.EnvInitIPv6IPPoolName, "", config.EnvInitEnableMultusConfig, "false")
	got, err := buildObjects(t, e)
	if err != nil {
		t.Fatalf("objects() error = %v", err)
	}
	if len(got) != 1 || got[0].GetName() != "default-v4-ippool" {
		t.Errorf("objects() = %v, want only the IPv4 pool", names(got))
	}
	if pool := got[0].(*spiderpoolv2beta1.SpiderIPPool); len(pool.OwnerReferences) != 0 {
		t.Errorf("pool has owners %v without a subnet", pool.OwnerReferences)
	}
}

// names lists the names of objs.
func names(objs []client.Object) []string {
	out := make([]string, 0, len(objs))
	for _, o := range objs {
		out = append(out, o.GetName())
	}
	return out
}

func TestObjectsBadEnvNamesTheVariable(t *testing.T) {
	badDir := writeFiles(t, map[string]string{"10-bad.conf": `{"name":`})
	tests := []struct {
		name    string
		env     env
		wantVar string
	}{
		{"gateway outside the subnet", env{config.EnvInitIPv4IPPoolGateway: "10.0.0.1"}, config.EnvInitIPv4IPPoolGateway},
		{"IPv6 gateway outside the subnet", env{config.EnvInitIPv6IPPoolGateway: "fd00::1"}, config.EnvInitIPv6IPPoolGateway},
		{"ranges outside the subnet", env{config.EnvInitIPv4IPPoolIPRanges: `["10.0.0.1-10.0.0.5"]`}, config.EnvInitIPv4IPPoolIPRanges},
		{"malformed ranges JSON", env{config.EnvInitIPv4IPPoolIPRanges: `{"from":"172.18.40.40"}`}, config.EnvInitIPv4IPPoolIPRanges},
		{"reversed range", env{config.EnvInitIPv6IPPoolIPRanges: `["fc00:f853:ccd:e793::9-fc00:f853:ccd:e793::1"]`}, config.EnvInitIPv6IPPoolIPRanges},
		{"IPv4 range in the IPv6 list", env{config.EnvInitIPv6IPPoolIPRanges: `["172.18.40.40"]`}, config.EnvInitIPv6IPPoolIPRanges},
		{"subnet not canonical", env{config.EnvInitIPv4IPPoolSubnet: "172.18.0.1/16"}, config.EnvInitIPv4IPPoolSubnet},
		{"bad hijack CIDR", env{config.EnvInitCoordinatorHijackCIDR: `["169.254.0.0/33"]`}, config.EnvInitCoordinatorHijackCIDR},
		{"unknown podCIDRType", env{config.EnvInitCoordinatorPodCIDRType: "weave"}, config.EnvInitCoordinatorPodCIDRType},
		{"missing podCIDRType", env{config.EnvInitCoordinatorPodCIDRType: ""}, config.EnvInitCoordinatorPodCIDRType},
		{"unknown mode", env{config.EnvInitCoordinatorMode: "l2"}, config.EnvInitCoordinatorMode},
		{"bad veth link address", env{config.EnvInitCoordinatorVethLinkAddress: "169.254.0"}, config.EnvInitCoordinatorVethLinkAddress},
		{"pool name not DNS-1123", env{config.EnvInitIPv4IPPoolName: "Default_V4"}, config.EnvInitIPv4IPPoolName},
		{"subnet name not DNS-1123", env{config.EnvInitIPv6SubnetName: "v6.subnet."}, config.EnvInitIPv6SubnetName},
		{"coordinator name not DNS-1123", env{config.EnvInitCoordinatorName: "Default"}, config.EnvInitCoordinatorName},
		{"CNI name not DNS-1123", env{config.EnvInitDefaultCNIName: "My CNI"}, config.EnvInitDefaultCNIName},
		{"CNI namespace not a label", env{config.EnvInitDefaultCNIName: "calico", config.EnvInitDefaultCNINamespace: "kube.system"},
			config.EnvInitDefaultCNINamespace},
		{"unreadable CNI configuration", env{config.EnvInitDefaultCNIDir: badDir}, config.EnvInitDefaultCNIDir},
		{"tunePodRoutes missing", env{config.EnvInitCoordinatorTunePodRoutes: ""}, config.EnvInitCoordinatorTunePodRoutes},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := chartEnv(t.TempDir())
			for k, v := range tc.env {
				e = e.with(k, v)
			}
			_, err := buildObjects(t, e)
			if !errors.Is(err, config.ErrInvalidEnv) && !errors.Is(err, config.ErrMissingEnv) {
				t.Fatalf("error = %v, want ErrInvalidEnv or ErrMissingEnv", err)
			}
			if !strings.Contains(err.Error(), "env "+tc.wantVar) {
				t.Errorf("error %q does not name %s", err, tc.wantVar)
			}
		})
	}
}

// FuzzObjectsFromLists feeds the JSON-ish lists of IPRANGES and
// HIJACK_CIDR through parsing, building and the webhook rules: nothing
// panics, and an accepted environment gives a pool with exactly the parsed
// ranges.
func FuzzObjectsFromLists(f *testing.F) {
	for _, seed := range [][2]string{
		{`["172.18.40.40-172.18.40.200","172.18.40.250"]`, `["169.254.0.0/16"]`},
		{`172.18.0.2,172.18.0.3`, `10.96.0.10 fd00::/8`},
		{`[\"172.18.1.1\"]`, `[]`}, {`[`, `]`}, {`["10.0.0.1"]`, `["::1"]`}, {``, ``},
	} {
		f.Add(seed[0], seed[1])
	}
	f.Fuzz(func(t *testing.T, ranges, hijack string) {
		e := chartEnv("").with(config.EnvInitIPv4IPPoolIPRanges, ranges, config.EnvInitCoordinatorHijackCIDR, hijack,
			config.EnvInitIPv6SubnetName, "", config.EnvInitIPv6IPPoolName, "", config.EnvInitEnableMultusConfig, "false")
		parsed, err := config.ParseInitEnv(e.lookup)
		if err != nil {
			return
		}
		j := &Job{Env: parsed}
		objs, err := j.objects(t.Context())
		if err != nil {
			if !errors.Is(err, config.ErrInvalidEnv) {
				t.Fatalf("objects() error %v is not ErrInvalidEnv", err)
			}
			return
		}
		pool := objs[len(objs)-1].obj.(*spiderpoolv2beta1.SpiderIPPool)
		if diff := cmp.Diff(parsed.IPv4.IPRanges, pool.Spec.IPs); diff != "" {
			t.Errorf("pool ips differ from the parsed ranges (-parsed +pool):\n%s", diff)
		}
	})
}
