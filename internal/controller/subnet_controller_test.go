// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package controller_test

import (
	"fmt"
	"slices"
	"testing"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/util/retry"
	"k8s.io/utils/ptr"

	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
	"github.com/spiderpool-go/spiderpool/internal/validation"
	"github.com/spiderpool-go/spiderpool/test/utils"
)

// TestSubnetAdoptsAndDeletes: a manual pool of the subnet's CIDR is
// adopted (owner, label, gateway and routes) and recorded as its IPs in
// the subnet; deleting the subnet deletes the pool first (once its last IP
// is released) and then lets the subnet go.
func TestSubnetAdoptsAndDeletes(t *testing.T) {
	startAutoPoolController(t, 1)
	subnet := createSubnet(t, "10.31.0.0/24", "10.31.0.254", "10.31.0.1-10.31.0.100")
	routes := []spiderpoolv2beta1.Route{{Dst: "10.99.0.0/16", Gw: "10.31.0.253"}}
	err := retry.RetryOnConflict(retry.DefaultRetry, func() error { // the subnet's routes, set after its creation: the pool inherits them
		s, _ := getSubnet(t, subnet.Name)
		s.Spec.Routes = routes
		return apiServer.client.Update(t.Context(), s)
	})
	if err != nil {
		t.Fatal(err)
	}
	name := poolName(t)
	createPool(t, name, spiderpoolv2beta1.IPPoolSpec{Subnet: "10.31.0.0/24", IPs: []string{"10.31.0.90-10.31.0.120"}}, true)

	utils.Eventually(t, time.Minute, func() error {
		pool := getPool(t, name)
		if validation.ControllerSubnet(pool) != subnet.Name || pool.Labels[spiderpoolv2beta1.LabelOwnerSpiderSubnet] != subnet.Name {
			return fmt.Errorf("%w: pool not adopted: %v %v", errWaiting, pool.OwnerReferences, pool.Labels)
		}
		if ptr.Deref(pool.Spec.Gateway, "") != "10.31.0.254" || !slices.Equal(pool.Spec.Routes, routes) {
			return fmt.Errorf("%w: gateway %v routes %v", errWaiting, pool.Spec.Gateway, pool.Spec.Routes)
		}
		s, records := getSubnet(t, subnet.Name)
		if s.Labels[spiderpoolv2beta1.LabelSubnetCIDR] != "10-31-0-0-24" {
			return fmt.Errorf("%w: subnet labels %v", errWaiting, s.Labels)
		}
		if rec := records[name]; !slices.Equal(rec.IPs, []string{"10.31.0.90-10.31.0.100"}) || rec.Application != nil {
			return fmt.Errorf("%w: record %+v", errWaiting, rec)
		}
		return subnetCountsAre(t, subnet.Name, 100, 11)
	})

	agentWrites(t, name, records("10.31.0.95"), 1)
	if err := apiServer.client.Delete(t.Context(), subnet); err != nil {
		t.Fatal(err)
	}
	utils.Eventually(t, time.Minute, func() error {
		if getPool(t, name).DeletionTimestamp.IsZero() {
			return fmt.Errorf("%w: pool not deleted yet", errWaiting)
		}
		return nil
	})
	s, _ := getSubnet(t, subnet.Name)
	if !slices.Contains(s.Finalizers, spiderpoolv2beta1.SpiderFinalizer) {
		t.Fatal("the subnet's finalizer went while its pool holds an IP")
	}
	agentWrites(t, name, nil, 0)
	utils.Eventually(t, time.Minute, func() error { return poolGone(t, name) })
	utils.Eventually(t, time.Minute, func() error { return subnetReleased(t, subnet.Name) })
}

// subnetReleased reports whether the subnet is gone or held only by the
// garbage collector's foregroundDeletion finalizer: envtest runs no
// kube-controller-manager to remove it.
func subnetReleased(t *testing.T, name string) error {
	s := &spiderpoolv2beta1.SpiderSubnet{}
	err := apiServer.client.Get(t.Context(), types.NamespacedName{Name: name}, s)
	if apierrors.IsNotFound(err) {
		return nil
	}
	if err != nil {
		return err
	}
	if s.DeletionTimestamp.IsZero() || slices.ContainsFunc(s.Finalizers, func(f string) bool { return f != metav1.FinalizerDeleteDependents }) {
		return fmt.Errorf("%w: subnet %s finalizers %v", errWaiting, name, s.Finalizers)
	}
	return nil
}
