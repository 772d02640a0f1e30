// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package initjob

import (
	"slices"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
	"github.com/spiderpool-go/spiderpool/internal/allocator"
	"github.com/spiderpool-go/spiderpool/internal/config"
)

// desired is one object to create and the variables it comes from, to
// name in errors.
type desired struct {
	kind string
	obj  client.Object
	vars fieldVars
}

// coordinator returns the default SpiderCoordinator of c. An empty
// podCIDRType or vethLinkAddress is left unset, for the webhook rules to
// judge.
func coordinator(c *config.InitCoordinator) desired {
	obj := &spiderpoolv2beta1.SpiderCoordinator{
		ObjectMeta: metav1.ObjectMeta{Name: c.Name},
		Spec: spiderpoolv2beta1.CoordinatorSpec{
			Mode:            ptr.To(c.Mode),
			PodCIDRType:     nonEmpty(c.PodCIDRType),
			HijackCIDR:      slices.Clone(c.HijackCIDR),
			TunePodRoutes:   ptr.To(c.TunePodRoutes),
			VethLinkAddress: nonEmpty(c.VethLinkAddress),
		},
	}
	return desired{kind: spiderpoolv2beta1.KindSpiderCoordinator, obj: obj, vars: coordinatorVars}
}

// subnet returns the default SpiderSubnet of family v.
func subnet(v allocator.IPVersion, p *config.InitPool) desired {
	obj := &spiderpoolv2beta1.SpiderSubnet{
		ObjectMeta: metav1.ObjectMeta{Name: p.SubnetName},
		Spec: spiderpoolv2beta1.SubnetSpec{
			IPVersion: ptr.To(int64(v)),
			Subnet:    p.Subnet,
			IPs:       slices.Clone(p.IPRanges),
			Gateway:   nonEmpty(p.Gateway),
		},
	}
	return desired{kind: spiderpoolv2beta1.KindSpiderSubnet, obj: obj, vars: poolVars(v, true)}
}

// ipPool returns the default SpiderIPPool of family v: the cluster default
// (default: true) with the subnet, ranges and gateway of the environment.
func ipPool(v allocator.IPVersion, p *config.InitPool) desired {
	obj := &spiderpoolv2beta1.SpiderIPPool{
		ObjectMeta: metav1.ObjectMeta{Name: p.IPPoolName},
		Spec: spiderpoolv2beta1.IPPoolSpec{
			IPVersion: ptr.To(int64(v)),
			Subnet:    p.Subnet,
			IPs:       slices.Clone(p.IPRanges),
			Gateway:   nonEmpty(p.Gateway),
			Default:   ptr.To(true),
		},
	}
	return desired{kind: spiderpoolv2beta1.KindSpiderIPPool, obj: obj, vars: poolVars(v, false)}
}

// addressObjects returns the Subnets, then the IPPools, that env names. A
// Subnet is named only when the chart's spiderSubnet feature is on, so a
// name is the switch.
func addressObjects(env *config.InitEnv) []desired {
	var subnets, pools []desired
	for _, f := range []struct {
		v allocator.IPVersion
		p *config.InitPool
	}{{allocator.IPv4, env.IPv4}, {allocator.IPv6, env.IPv6}} {
		if f.p == nil {
			continue
		}
		if f.p.SubnetName != "" {
			subnets = append(subnets, subnet(f.v, f.p))
		}
		if f.p.IPPoolName != "" {
			pools = append(pools, ipPool(f.v, f.p))
		}
	}
	return append(subnets, pools...)
}

// nonEmpty returns &s, or nil when s is empty.
func nonEmpty(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}
