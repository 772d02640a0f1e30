// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package migrate

import (
	"path/filepath"
	"reflect"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
	"github.com/spiderpool-go/spiderpool/internal/ctl"
	"github.com/spiderpool-go/spiderpool/internal/ipam"
	"github.com/spiderpool-go/spiderpool/internal/validation"
	"github.com/spiderpool-go/spiderpool/test/fixtures"
)

// TestAdoptSubnetAutoPool adds to the fixture a SpiderSubnet controlling an
// auto-created pool of Deployment fy/app and a manual pool, in Spiderpool's
// format (testdata/subnet-autopool.yaml). Our CRDs keep every field, our
// validation accepts the subnet and pools as they are and our defaulting
// changes nothing; our agents give the existing pods their recorded
// addresses without a write, and a new pod of the manual pool a free one.
func TestAdoptSubnetAutoPool(t *testing.T) {
	cl := newCluster(t, nil)
	st, err := fixtures.LoadFile(filepath.Join("testdata", "subnet-autopool.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	uids, err := st.Apply(t.Context(), cl.c, fixtures.ApplyOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for old, uid := range uids {
		cl.uids[old] = uid
	}
	sub := &fixtures.State{Subnets: st.Subnets, Pools: st.Pools, Endpoints: st.Endpoints}
	t.Run("CRDs keep every field", func(t *testing.T) {
		(&cluster{t: t, c: cl.c, state: sub, uids: cl.uids}).formatKept(t)
		for _, u := range st.Subnets {
			got := cl.readBack(u)
			want := normalise(t, mustJSON(t, u.Object["status"]))
			if have := normalise(t, mustJSON(t, got.Object["status"])); !reflect.DeepEqual(have, want) {
				t.Errorf("subnet status read back as %v, written %v", have, want)
			}
		}
	})
	t.Run("validation accepts and defaulting keeps", cl.validateAsWritten)
	before := cl.pools()
	t.Run("sandbox re-creation", func(t *testing.T) {
		for _, p := range []struct{ name, node, ip, pool string }{
			{"app-0", "fx-node-0", "10.79.0.10/24", "auto4-app-eth0-00000"},
			{"app-1", "fx-node-1", "10.79.0.11/24", "auto4-app-eth0-00000"},
			{"manual-0", "fx-node-2", "10.79.0.50/24", "fy-manual"},
		} {
			pod := &corev1.Pod{}
			if err := cl.c.Get(t.Context(), client.ObjectKey{Namespace: "fy", Name: p.name}, pod); err != nil {
				t.Fatal(err)
			}
			res, err := cl.agent(p.node).Allocate(t.Context(), ipam.AllocateRequest{ContainerID: "new-" + p.name,
				IfName: "eth0", PodNamespace: "fy", PodName: p.name, PodUID: string(pod.UID)})
			if err != nil {
				t.Errorf("ADD %s: %v", p.name, err)
				continue
			}
			nic, _ := res.NIC("eth0")
			if nic.IPv4 == nil || nic.IPv4.Address.String() != p.ip || nic.IPv4.Pool != p.pool || nic.IPv6 != nil {
				t.Errorf("ADD %s: %+v, want %s from %s only", p.name, nic, p.ip, p.pool)
			}
		}
		after := cl.pools()
		for name, b := range before {
			if after[name].rv != b.rv {
				t.Errorf("pool %s rewritten by sandbox re-creation", name)
			}
		}
	})
	t.Run("a new pod of the application gets the auto pool's free address", func(t *testing.T) {
		pod := &corev1.Pod{}
		if err := cl.c.Get(t.Context(), client.ObjectKey{Namespace: "fy", Name: "app-1"}, pod); err != nil {
			t.Fatal(err)
		}
		pod = &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Namespace: "fy", Name: "app-2", Labels: pod.Labels,
			Annotations: pod.Annotations, OwnerReferences: pod.OwnerReferences}, Spec: pod.Spec}
		pod.Spec.NodeName = "fx-node-2"
		if err := cl.c.Create(t.Context(), pod); err != nil {
			t.Fatal(err)
		}
		res, err := cl.agent("fx-node-2").Allocate(t.Context(), ipam.AllocateRequest{ContainerID: "c-app-2",
			IfName: "eth0", PodNamespace: "fy", PodName: "app-2", PodUID: string(pod.UID)})
		if err != nil {
			t.Fatal(err)
		}
		if nic, _ := res.NIC("eth0"); nic.IPv4 == nil || nic.IPv4.Address.String() != "10.79.0.12/24" || nic.IPv4.Pool != "auto4-app-eth0-00000" {
			t.Errorf("new pod of fy/app: %+v, want 10.79.0.12/24 from the auto pool", nic)
		}
		sameRecords(t, "after a new pod of the application", before, cl.pools(), nil)
	})
	t.Run("a new pod of the manual pool", func(t *testing.T) {
		pod := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Namespace: "fy", Name: "manual-1",
			Annotations: map[string]string{spiderpoolv2beta1.AnnoPodIPPool: `{"ipv4":["fy-manual"]}`}},
			Spec: corev1.PodSpec{NodeName: "fx-node-0", Containers: []corev1.Container{{Name: "c", Image: "pause"}}}}
		if err := cl.c.Create(t.Context(), pod); err != nil {
			t.Fatal(err)
		}
		res, err := cl.agent("fx-node-0").Allocate(t.Context(), ipam.AllocateRequest{ContainerID: "c-manual-1",
			IfName: "eth0", PodNamespace: "fy", PodName: "manual-1", PodUID: string(pod.UID)})
		if err != nil {
			t.Fatal(err)
		}
		if nic, _ := res.NIC("eth0"); nic.IPv4 == nil || nic.IPv4.Address.String() != "10.79.0.51/24" {
			t.Errorf("new pod of fy-manual: %+v, want 10.79.0.51/24", nic)
		}
		sameRecords(t, "after a new pod", before, cl.pools(), nil)
	})
	t.Run("migrate check", func(t *testing.T) {
		code, rep := cl.checkReport("migrate", "check")
		wantNotesOnly(t, code, rep, ctl.KindNoHelmRelease)
	})
}

// validateAsWritten runs our webhooks' rules on every pool and subnet as
// the API server holds them: creation and a no-op update are accepted, and
// the mutating defaults change nothing.
func (cl *cluster) validateAsWritten(t *testing.T) {
	var pools spiderpoolv2beta1.SpiderIPPoolList
	var subnets spiderpoolv2beta1.SpiderSubnetList
	if err := cl.c.List(t.Context(), &pools); err != nil {
		t.Fatal(err)
	}
	if err := cl.c.List(t.Context(), &subnets); err != nil {
		t.Fatal(err)
	}
	conf := validation.Config{EnableIPv4: cl.conf.EnableIPv4, EnableIPv6: cl.conf.EnableIPv6, EnableSpiderSubnet: cl.conf.EnableSpiderSubnet}
	for i := range subnets.Items {
		s := &subnets.Items[i]
		env := validation.SubnetEnv{Config: conf, Subnets: subnets.Items, Pools: pools.Items}
		if errs := validation.ValidateSubnet(s, env); len(errs) > 0 {
			t.Errorf("subnet %s refused: %v", s.Name, errs.ToAggregate())
		}
		if errs := validation.ValidateSubnetUpdate(s, s.DeepCopy(), env); len(errs) > 0 {
			t.Errorf("subnet %s: no-op update refused: %v", s.Name, errs.ToAggregate())
		}
		d := s.DeepCopy()
		validation.DefaultSubnet(d)
		if !reflect.DeepEqual(d, s) {
			t.Errorf("subnet %s changed by defaulting:\n%+v\n%+v", s.Name, d, s)
		}
	}
	for i := range pools.Items {
		p := &pools.Items[i]
		env := validation.IPPoolEnv{Config: conf, Pools: pools.Items, Subnet: subnetOf(p, subnets.Items)}
		if errs := validation.ValidateIPPool(p, env); len(errs) > 0 {
			t.Errorf("pool %s refused: %v", p.Name, errs.ToAggregate())
		}
		if errs := validation.ValidateIPPoolUpdate(p, p.DeepCopy(), env); len(errs) > 0 {
			t.Errorf("pool %s: no-op update refused: %v", p.Name, errs.ToAggregate())
		}
		d := p.DeepCopy()
		validation.DefaultIPPool(d)
		if !reflect.DeepEqual(d, p) {
			t.Errorf("pool %s changed by defaulting:\n%+v\n%+v", p.Name, d, p)
		}
	}
}

func subnetOf(p *spiderpoolv2beta1.SpiderIPPool, subnets []spiderpoolv2beta1.SpiderSubnet) *spiderpoolv2beta1.SpiderSubnet {
	name := validation.ControllerSubnet(p)
	for i := range subnets {
		if subnets[i].Name == name {
			return &subnets[i]
		}
	}
	return nil
}
