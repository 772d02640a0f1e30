// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package initjob

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-logr/logr"
	"github.com/go-logr/logr/funcr"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	utilrand "k8s.io/apimachinery/pkg/util/rand"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"

	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
	"github.com/spiderpool-go/spiderpool/internal/config"
	"github.com/spiderpool-go/spiderpool/test/utils"
)

// waitLog counts the Job's "waiting" log lines.
type waitLog struct{ waits atomic.Int32 }

// logger returns a logger that counts the lines of waitForController.
func (w *waitLog) logger() logr.Logger {
	return funcr.New(func(_, args string) {
		if strings.Contains(args, "waiting for spiderpool-controller") {
			w.waits.Add(1)
		}
	}, funcr.Options{})
}

// networks counts the networks given to tests, so that no two tests' pools
// or subnets overlap, even with -count.
var networks atomic.Int32

// testEnv returns the chart environment for a test of its own: its own
// namespace (created), object names, networks and readiness file, and a
// CNI directory holding a macvlan configuration.
func testEnv(t *testing.T, c client.Client) (env, string) {
	t.Helper()
	suffix := utilrand.String(5)
	n := 10 + networks.Add(1)
	ns := "init-" + suffix
	if err := c.Create(t.Context(), &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}); err != nil {
		t.Fatalf("create namespace: %v", err)
	}
	ready := filepath.Join(t.TempDir(), "etc", "spiderpool", "ready")
	e := chartEnv(writeFiles(t, map[string]string{"10-macvlan.conflist": macvlanConf})).with(
		config.EnvInitNamespace, ns, config.EnvInitDefaultCNINamespace, ns,
		config.EnvInitCoordinatorName, "default-"+suffix,
		config.EnvInitIPv4SubnetName, "v4-subnet-"+suffix, config.EnvInitIPv4IPPoolName, "v4-pool-"+suffix,
		config.EnvInitIPv6SubnetName, "v6-subnet-"+suffix, config.EnvInitIPv6IPPoolName, "v6-pool-"+suffix,
		config.EnvInitReadinessFile, ready,
		config.EnvInitIPv4IPPoolSubnet, fmt.Sprintf("10.%d.0.0/16", n),
		config.EnvInitIPv4IPPoolIPRanges, fmt.Sprintf(`["10.%d.1.10-10.%d.1.100"]`, n, n),
		config.EnvInitIPv4IPPoolGateway, fmt.Sprintf("10.%d.0.1", n),
		config.EnvInitIPv6IPPoolSubnet, fmt.Sprintf("fd00:%d::/64", n),
		config.EnvInitIPv6IPPoolIPRanges, fmt.Sprintf(`["fd00:%d::10-fd00:%d::100"]`, n, n),
		config.EnvInitIPv6IPPoolGateway, fmt.Sprintf("fd00:%d::1", n))
	return e, ready
}

// setEndpoints creates or updates the controller Endpoints of e, with a
// ready address or only a not-ready one.
//
//nolint:staticcheck // init reads Endpoints, as Spiderpool does
func setEndpoints(t *testing.T, c client.Client, e env, ready bool) {
	t.Helper()
	ep := &corev1.Endpoints{ObjectMeta: metav1.ObjectMeta{
		Namespace: e[config.EnvInitNamespace], Name: e[config.EnvInitControllerName]}}
	_, err := controllerutil.CreateOrUpdate(t.Context(), c, ep, func() error {
		addr := []corev1.EndpointAddress{{IP: "10.0.0.5"}}
		ep.Subsets = []corev1.EndpointSubset{{NotReadyAddresses: addr, Ports: []corev1.EndpointPort{{Port: 5722}}}}
		if ready {
			ep.Subsets[0] = corev1.EndpointSubset{Addresses: addr, Ports: ep.Subsets[0].Ports}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("endpoints: %v", err)
	}
}

func TestRunWaitsForTheControllerThenCreatesEverything(t *testing.T) {
	c := kube(t)
	e, ready := testEnv(t, c)
	setEndpoints(t, c, e, false)
	var log waitLog
	job := &Job{Client: c, Env: e.parse(t), Interval: 20 * time.Millisecond, CreateTimeout: time.Minute}
	done := make(chan error, 1)
	go func() { done <- job.Run(logr.NewContext(t.Context(), log.logger())) }()

	utils.Eventually(t, time.Minute, func() error {
		if n := log.waits.Load(); n < 3 {
			return errors.New("fewer than 3 polls of the Endpoints")
		}
		return nil
	})
	if _, err := os.Stat(ready); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("readiness file before the controller is ready: %v", err)
	}
	assertAbsent(t, c, &spiderpoolv2beta1.SpiderIPPool{}, e[config.EnvInitIPv4IPPoolName])

	setEndpoints(t, c, e, true)
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Run() error = %v", err)
		}
	case <-time.After(2 * time.Minute):
		t.Fatal("Run() did not return after the Endpoints got an address")
	}
	if _, err := os.Stat(ready); err != nil {
		t.Errorf("readiness file: %v", err)
	}
	before := assertCreated(t, c, e)

	again := &Job{Client: c, Env: e.parse(t), Interval: 20 * time.Millisecond, CreateTimeout: time.Minute}
	if err := again.Run(t.Context()); err != nil {
		t.Fatalf("second Run() error = %v", err)
	}
	after := assertCreated(t, c, e)
	for key, rv := range before {
		if after[key] != rv {
			t.Errorf("%s changed by the second run: resourceVersion %s -> %s", key, rv, after[key])
		}
	}
}

// assertAbsent checks that obj of that name does not exist.
func assertAbsent(t *testing.T, c client.Client, obj client.Object, name string) {
	t.Helper()
	if err := c.Get(t.Context(), client.ObjectKey{Name: name}, obj); !apierrors.IsNotFound(err) {
		t.Errorf("%s %s: got error %v, want NotFound", obj.GetObjectKind().GroupVersionKind().Kind, name, err)
	}
}

// assertCreated checks the objects init made from e, as the webhooks
// completed them, and returns their resourceVersions by name.
func assertCreated(t *testing.T, c client.Client, e env) map[string]string {
	t.Helper()
	rv := map[string]string{}
	get := func(obj client.Object, ns, name string) {
		if err := c.Get(t.Context(), client.ObjectKey{Namespace: ns, Name: name}, obj); err != nil {
			t.Fatalf("get %s: %v", name, err)
		}
		rv[name] = obj.GetResourceVersion()
	}
	coord := &spiderpoolv2beta1.SpiderCoordinator{}
	get(coord, "", e[config.EnvInitCoordinatorName])
	if coord.Spec.HostRuleTable == nil || *coord.Spec.PodCIDRType != "auto" || !controllerutil.ContainsFinalizer(coord, spiderpoolv2beta1.SpiderFinalizer) {
		t.Errorf("coordinator not defaulted by the webhook: %+v", coord)
	}
	for _, v := range []string{"4", "6"} {
		subnet := &spiderpoolv2beta1.SpiderSubnet{}
		get(subnet, "", e["SPIDERPOOL_INIT_DEFAULT_IPV"+v+"_SUBNET_NAME"])
		pool := &spiderpoolv2beta1.SpiderIPPool{}
		get(pool, "", e["SPIDERPOOL_INIT_DEFAULT_IPV"+v+"_IPPOOL_NAME"])
		if pool.Spec.Default == nil || !*pool.Spec.Default {
			t.Errorf("pool %s is not a default pool", pool.Name)
		}
		if ref := metav1.GetControllerOf(pool); ref == nil || ref.Name != subnet.Name {
			t.Errorf("pool %s is not controlled by subnet %s: %v", pool.Name, subnet.Name, pool.OwnerReferences)
		}
		if pool.Spec.Subnet != subnet.Spec.Subnet || *pool.Spec.Gateway != *subnet.Spec.Gateway {
			t.Errorf("pool %s and subnet %s differ: %+v / %+v", pool.Name, subnet.Name, pool.Spec, subnet.Spec)
		}
	}
	smc := &spiderpoolv2beta1.SpiderMultusConfig{}
	get(smc, e[config.EnvInitNamespace], "macvlan-eth0")
	if *smc.Spec.CNIType != spiderpoolv2beta1.CNITypeMacvlan || *smc.Spec.EnableCoordinator || smc.Spec.ChainCNIJSONData == nil {
		t.Errorf("multus config: %+v", smc.Spec)
	}
	return rv
}

func TestMainBadEnvNamesTheVariable(t *testing.T) {
	c := kube(t)
	tests := []struct {
		name, key, value string
	}{
		{"gateway outside the subnet", config.EnvInitIPv4IPPoolGateway, "192.168.0.1"},
		{"malformed ranges", config.EnvInitIPv6IPPoolIPRanges, `["fd00::40-"]`},
		{"required variable missing", config.EnvInitEnableMultusConfig, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e, ready := testEnv(t, c)
			setEndpoints(t, c, e, true)
			e = e.with(tc.key, tc.value)
			err := Main(t.Context(), e.lookup, func() (*rest.Config, error) { return apiServer.env.Config, nil })
			if err == nil || !strings.Contains(err.Error(), "env "+tc.key) {
				t.Fatalf("Main() error = %v, want one naming %s", err, tc.key)
			}
			assertAbsent(t, c, &spiderpoolv2beta1.SpiderCoordinator{}, e[config.EnvInitCoordinatorName])
			assertAbsent(t, c, &spiderpoolv2beta1.SpiderSubnet{}, e[config.EnvInitIPv4SubnetName])
			if _, err := os.Stat(ready); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("readiness file written on failure: %v", err)
			}
		})
	}
}

func TestRunStopsAtTheWebhooksRefusal(t *testing.T) {
	c := kube(t)
	e, ready := testEnv(t, c)
	setEndpoints(t, c, e, true)
	// A pool of a smaller network inside the default subnet: the webhooks
	// refuse the subnet, which would overlap it without being equal.
	inside := strings.Replace(e[config.EnvInitIPv4IPPoolSubnet], ".0.0/16", ".9.0/24", 1)
	other := &spiderpoolv2beta1.SpiderIPPool{ObjectMeta: metav1.ObjectMeta{Name: "inside-" + e[config.EnvInitIPv4IPPoolName]},
		Spec: spiderpoolv2beta1.IPPoolSpec{Subnet: inside}}
	if err := c.Create(t.Context(), other); err != nil {
		t.Fatalf("create %s: %v", inside, err)
	}
	job := &Job{Client: c, Env: e.parse(t), Interval: 20 * time.Millisecond, CreateTimeout: time.Hour}
	err := job.Run(t.Context())
	if !apierrors.IsInvalid(err) || !strings.Contains(err.Error(), e[config.EnvInitIPv4SubnetName]) {
		t.Fatalf("Run() error = %v, want the webhook's Invalid for the subnet", err)
	}
	if _, err := os.Stat(ready); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("readiness file written on failure: %v", err)
	}
}
