// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package webhook_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/utils/ptr"

	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
	"github.com/spiderpool-go/spiderpool/internal/validation"
)

// TestSubnetThroughAPI creates a subnet, lets a pool of its CIDR inherit
// from it, and checks the rejections of subnets and of pools that leave it.
func TestSubnetThroughAPI(t *testing.T) {
	c := sharedEnv(t).client
	subnet := spiderSubnet("subnet-20", "10.20.0.0/16", "10.20.0.100-10.20.0.200", "10.20.0.2-10.20.0.99")
	subnet.Spec.Gateway = ptr.To("10.20.0.1")
	subnet.Spec.Routes = []spiderpoolv2beta1.Route{{Dst: "10.98.0.0/16", Gw: "10.20.0.1"}}
	create(t, c, subnet)
	t.Cleanup(func() { release(t, c, subnet) })
	if !cmp.Equal(subnet.Spec.IPs, []string{"10.20.0.2-10.20.0.200"}) || ptr.Deref(subnet.Spec.IPVersion, 0) != 4 ||
		subnet.Labels[spiderpoolv2beta1.LabelSubnetCIDR] != "10-20-0-0-16" || len(subnet.Finalizers) != 1 {
		t.Errorf("stored subnet %+v", subnet)
	}

	pool := ipPool("pool-in-subnet-20", "10.20.0.0/16", "10.20.0.10-10.20.0.20")
	create(t, c, pool)
	t.Cleanup(func() { release(t, c, pool) })
	if validation.ControllerSubnet(pool) != "subnet-20" || pool.Labels[spiderpoolv2beta1.LabelOwnerSpiderSubnet] != "subnet-20" ||
		ptr.Deref(pool.Spec.Gateway, "") != "10.20.0.1" || !cmp.Equal(pool.Spec.Routes, subnet.Spec.Routes) {
		t.Errorf("the pool did not inherit from its subnet: %+v", pool)
	}

	outside := ipPool("pool-outside-subnet-20", "10.20.0.0/16", "10.20.0.195-10.20.0.210")
	rejected(t, c.Create(t.Context(), outside), apierrors.IsInvalid,
		`spec.ips[0]: Invalid value: "10.20.0.195-10.20.0.210": 10.20.0.201-10.20.0.210 not in SpiderSubnet "subnet-20", which controls this pool (it offers 10.20.0.2-10.20.0.200)`)
	rejected(t, c.Create(t.Context(), spiderSubnet("subnet-20-small", "10.20.0.0/24")), apierrors.IsInvalid,
		`spec.subnet: Invalid value: "10.20.0.0/24": overlaps SpiderSubnet "subnet-20" (10.20.0.0/16)`)

	orphan := ipPool("pool-orphan-21", "10.21.0.0/16", "10.21.0.50")
	create(t, c, orphan)
	t.Cleanup(func() { release(t, c, orphan) })
	rejected(t, c.Create(t.Context(), spiderSubnet("subnet-21", "10.21.0.0/16", "10.21.0.1-10.21.0.10")), apierrors.IsInvalid,
		`spec.ips: Invalid value: "10.21.0.1-10.21.0.10": does not offer 10.21.0.50 of SpiderIPPool "pool-orphan-21"`)
	rejected(t, c.Create(t.Context(), spiderSubnet("subnet-20", "10.22.0.0/16")), apierrors.IsAlreadyExists)

	subnet.Status.AllocatedIPCount = ptr.To[int64](11)
	subnet.Status.ControlledIPPools = spiderpoolv2beta1.FormatControlledIPPools(spiderpoolv2beta1.PoolIPPreAllocations{
		pool.Name: {IPs: pool.Spec.IPs},
	})
	if err := c.Status().Update(t.Context(), subnet); err != nil {
		t.Fatal(err)
	}
	shrunk := subnet.DeepCopy()
	shrunk.Spec.IPs = []string{"10.20.0.15-10.20.0.200"}
	rejected(t, c.Update(t.Context(), shrunk), apierrors.IsInvalid,
		`spec.ips: Forbidden: the update takes away 10.20.0.10-10.20.0.14 of SpiderIPPool "pool-in-subnet-20"`)
	rejected(t, c.Delete(t.Context(), subnet), apierrors.IsForbidden,
		`"subnet-20" is forbidden: cannot delete: 11 IPs are pre-allocated to SpiderIPPool "pool-in-subnet-20"; delete those pools first`)
	subnet.Status = spiderpoolv2beta1.SubnetStatus{}
	if err := c.Status().Update(t.Context(), subnet); err != nil {
		t.Fatal(err)
	}
}
