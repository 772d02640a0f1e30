// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package controller_test

import (
	"errors"
	"fmt"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
	"github.com/spiderpool-go/spiderpool/internal/allocator"
	"github.com/spiderpool-go/spiderpool/internal/annotation"
	"github.com/spiderpool-go/spiderpool/internal/autopool"
	"github.com/spiderpool-go/spiderpool/internal/config"
	"github.com/spiderpool-go/spiderpool/internal/controller"
	"github.com/spiderpool-go/spiderpool/test/utils"
)

// TestAutoPoolThirdParty: the pool of a third-party controller, made as
// the agent makes it (autopool.Reconciler.Ensure, fixed size), is deleted
// by the IPPool controller once its application is gone. A
// SpiderMultusConfig plays the custom resource that owns the pods.
func TestAutoPoolThirdParty(t *testing.T) {
	ns := newNamespace(t)
	createValidatingConfiguration(t, ns)
	opts := replica(t, ns, "controller-thirdparty")
	opts.Env.GC.Enabled = false
	opts.Env.IPPoolInformerResyncPeriod = time.Second
	opts.ConfigMap = config.ConfigMap{EnableIPv4: true, EnableSpiderSubnet: true, EnableAutoPoolForApplication: true}
	startReplica(t, opts)
	subnet := createSubnet(t, "10.37.0.0/24", "", "10.37.0.1-10.37.0.10")
	owner := &spiderpoolv2beta1.SpiderMultusConfig{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "custom"}}
	create(t, owner)
	gvk := spiderpoolv2beta1.GroupVersion.WithKind(spiderpoolv2beta1.KindSpiderMultusConfig)
	app := autopool.ThirdPartyApp(gvk, ns, "custom", owner.UID)
	pools := &autopool.Reconciler{Client: apiServer.client, APIReader: apiServer.client}
	req := autopool.Request{Subnet: subnet.Name, App: app, Interface: "eth0", Version: allocator.IPv4,
		Number: annotation.IPNumber{N: 2}, Reclaim: true}
	pool, err := pools.Ensure(t.Context(), req)
	if err != nil {
		t.Fatal(err)
	}
	if pool.Labels[spiderpoolv2beta1.LabelOwnerApplicationGV] != "spiderpool.spidernet.io_v2beta1" || len(pool.Spec.IPs) != 1 {
		t.Errorf("pool %v %v", pool.Labels, pool.Spec.IPs)
	}
	req.Number.N = 20
	if _, err := pools.Ensure(t.Context(), req); !errors.Is(err, autopool.ErrSubnetIPsNotEnough) {
		t.Errorf("Ensure of 20 IPs from a subnet of 10: %v", err)
	}
	if err := apiServer.client.Delete(t.Context(), owner); err != nil {
		t.Fatal(err)
	}
	utils.Eventually(t, time.Minute, func() error { return poolGone(t, pool.Name) })
	utils.Eventually(t, time.Minute, func() error { return subnetCountsAre(t, subnet.Name, 10, 0) })
}

// TestAutoPoolSubnetTooSmall: an application that needs more IPs than its
// subnet has left gets no pool and a Warning event that names the subnet.
func TestAutoPoolSubnetTooSmall(t *testing.T) {
	ns := startAutoPoolController(t, 1)
	subnet := createSubnet(t, "10.38.0.0/24", "", "10.38.0.1-10.38.0.5")
	annos := subnetAnno(subnet.Name)
	annos[spiderpoolv2beta1.AnnoPoolIPNumber] = "6"
	create(t, deployment(ns, "big", 1, annos))
	utils.Eventually(t, time.Minute, func() error { return eventNamed(t, ns, "big", controller.ReasonSubnetIPsNotEnough, subnet.Name) })
	create(t, deployment(ns, "nosubnet", 1, subnetAnno("no-such-subnet")))
	utils.Eventually(t, time.Minute, func() error { return eventNamed(t, ns, "nosubnet", controller.ReasonAutoPoolFailed, "no-such-subnet") })
}

// eventNamed reports whether the object name in ns has an event of reason
// whose message contains text.
func eventNamed(t *testing.T, ns, name, reason, text string) error {
	var events corev1.EventList
	if err := apiServer.client.List(t.Context(), &events, client.InNamespace(ns)); err != nil {
		return err
	}
	for _, e := range events.Items {
		if e.Reason == reason && e.InvolvedObject.Name == name {
			if !containsText(e.Message, text) {
				t.Errorf("event message %q does not name %q", e.Message, text)
			}
			return nil
		}
	}
	return fmt.Errorf("%w: no %s event on %s", errWaiting, reason, name)
}
