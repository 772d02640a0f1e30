// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package ipam_test

import (
	"context"
	"sync"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	clocktesting "k8s.io/utils/clock/testing"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/interceptor"

	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
	"github.com/spiderpool-go/spiderpool/internal/allocator"
	"github.com/spiderpool-go/spiderpool/internal/annotation"
	"github.com/spiderpool-go/spiderpool/internal/autopool"
	"github.com/spiderpool-go/spiderpool/internal/ipam"
	"github.com/spiderpool-go/spiderpool/internal/ipam/ipamtest"
)

const (
	testDeploy     = "web"
	testDeployUID  = "1b4e28ba-2fa1-11d2-883f-0016d3cca427"
	testSubnet4    = "sub4"
	testSubnet6    = "sub6"
	testSubnetNet1 = "sub4-net1"
)

// subnetConfig is testConfig with SpiderSubnet auto-created pools on and a
// wait that only a stepped fake clock ends.
func subnetConfig() ipam.Config {
	cfg := testConfig()
	cfg.EnableSpiderSubnet, cfg.EnableAutoPoolForApplication = true, true
	cfg.DefaultRedundantIPNumber = 1
	cfg.AutoPoolWait = time.Hour
	return cfg
}

// subnetEnv is a service over the fake client with a fake clock and an
// ensurer for third-party pools.
type subnetEnv struct {
	*env
	clock    *clocktesting.FakeClock
	ensurer  *fakeEnsurer
	waitList chan struct{} // closed at the first labelled pool list (an ADD looks for its auto pool)
}

func newSubnetEnv(t *testing.T, cfg ipam.Config, objs ...client.Object) *subnetEnv {
	t.Helper()
	e := &subnetEnv{clock: clocktesting.NewFakeClock(time.Unix(1000, 0)), waitList: make(chan struct{})}
	var once sync.Once
	funcs := interceptor.Funcs{List: func(ctx context.Context, c client.WithWatch, list client.ObjectList, opts ...client.ListOption) error {
		lo := (&client.ListOptions{}).ApplyOptions(opts)
		if _, ok := list.(*spiderpoolv2beta1.SpiderIPPoolList); ok && lo.LabelSelector != nil {
			defer once.Do(func() { close(e.waitList) })
		}
		return c.List(ctx, list, opts...)
	}}
	base := []client.Object{
		&corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: testNS}},
		&corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: testNode}},
	}
	c := ipamtest.NewClient(funcs, append(base, objs...)...)
	st := ipamtest.NewStore(c)
	e.ensurer = &fakeEnsurer{c: c}
	svc, err := ipam.New(cfg, ipam.Deps{Cache: c, API: c, Store: st, Clock: e.clock, AutoPools: e.ensurer})
	if err != nil {
		t.Fatal(err)
	}
	if err := svc.Restore(t.Context()); err != nil {
		t.Fatal(err)
	}
	e.env = &env{svc: svc, client: c, store: st}
	e.ensurer.svc = svc
	return e
}

// fakeEnsurer makes a third-party pool as the autopool reconciler would,
// from the first addresses of its subnet, and tells the service.
type fakeEnsurer struct {
	c    client.Client
	svc  *ipam.Service
	mu   sync.Mutex
	reqs []autopool.Request
}

func (f *fakeEnsurer) Ensure(ctx context.Context, req autopool.Request) (*spiderpoolv2beta1.SpiderIPPool, error) {
	f.mu.Lock()
	f.reqs = append(f.reqs, req)
	f.mu.Unlock()
	sn := &spiderpoolv2beta1.SpiderSubnet{}
	if err := f.c.Get(ctx, client.ObjectKey{Name: req.Subnet}, sn); err != nil {
		return nil, err
	}
	pool := autoPoolOf(sn, req, req.Size())
	if err := f.c.Create(ctx, pool); err != nil {
		return nil, err
	}
	f.svc.PoolsChanged()
	return pool, nil
}

// subnet returns a SpiderSubnet over cidr (gateway .1 or ::1) with ips.
func subnet(name, cidr string, ips ...string) *spiderpoolv2beta1.SpiderSubnet {
	p := newPool(name, cidr, ips) // same family, gateway and ips rules as a pool
	return &spiderpoolv2beta1.SpiderSubnet{
		ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec: spiderpoolv2beta1.SubnetSpec{IPVersion: p.Spec.IPVersion, Subnet: cidr, IPs: ips, Gateway: p.Spec.Gateway,
			Routes: []spiderpoolv2beta1.Route{{Dst: "172.16.0.0/16", Gw: *p.Spec.Gateway}}},
	}
}

// autoPoolOf returns req's auto-created pool in sn holding its first size
// addresses, named, labelled and shaped by internal/autopool.
func autoPoolOf(sn *spiderpoolv2beta1.SpiderSubnet, req autopool.Request, size int) *spiderpoolv2beta1.SpiderIPPool {
	all, err := allocator.ParseSet(req.Version, sn.Spec.IPs)
	if err != nil {
		panic(err)
	}
	name := autopool.PoolName(req.Version, req.App.Name, req.Interface, req.App.UID)
	labels := autopool.PoolLabels(sn.Name, sn.Spec.Subnet, req.App, req.Interface, req.Version, req.Reclaim)
	return autopool.NewPool(sn, name, labels, req, autopool.Lowest(all, size))
}

// deployApp is the application of testDeploy with replicas.
func deployApp(replicas int) autopool.App {
	app, _ := autopool.AppOf(deployment(int32(replicas)))
	return app
}

// deployPool is testDeploy's pool of sn for nic, holding size addresses.
func deployPool(sn *spiderpoolv2beta1.SpiderSubnet, nic string, size int) *spiderpoolv2beta1.SpiderIPPool {
	v := allocator.IPVersion(*sn.Spec.IPVersion)
	return autoPoolOf(sn, autopool.Request{Subnet: sn.Name, App: deployApp(0), Interface: nic, Version: v,
		Number: annotation.IPNumber{Flexible: true, N: 1}, Reclaim: true}, size)
}

func deployment(replicas int32) *appsv1.Deployment {
	return &appsv1.Deployment{
		TypeMeta:   metav1.TypeMeta{APIVersion: "apps/v1", Kind: "Deployment"},
		ObjectMeta: metav1.ObjectMeta{Namespace: testNS, Name: testDeploy, UID: testDeployUID},
		Spec:       appsv1.DeploymentSpec{Replicas: ptr.To(replicas)},
	}
}

// replicaSetOf returns testReplicaSet, controlled by testDeploy.
func replicaSetOf() *appsv1.ReplicaSet {
	return &appsv1.ReplicaSet{ObjectMeta: metav1.ObjectMeta{
		Namespace: testNS, Name: testReplicaSet, UID: "uid-" + testReplicaSet,
		OwnerReferences: []metav1.OwnerReference{{APIVersion: "apps/v1", Kind: "Deployment", Name: testDeploy,
			UID: types.UID(testDeployUID), Controller: ptr.To(true)}},
	}}
}

// deployPod is a pod of testDeploy (through testReplicaSet) with opts.
func deployPod(name string, opts ...podOpt) *corev1.Pod {
	return newPod(name, append([]podOpt{withOwner("apps/v1", "ReplicaSet", testReplicaSet)}, opts...)...)
}
