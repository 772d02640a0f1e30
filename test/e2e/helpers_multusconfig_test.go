// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package e2e

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
	"github.com/spiderpool-go/spiderpool/internal/multusconf"
)

// nadTimeout bounds waiting for the controller to write or the garbage
// collector to delete a NetworkAttachmentDefinition.
const nadTimeout = 2 * time.Minute

// macvlanSMC returns a macvlan SpiderMultusConfig on master with the
// coordinator off (the lab's node simulator has no coordinator plugin)
// and the IPv4 pool pool.
func macvlanSMC(ns, name, master, pool string) *spiderpoolv2beta1.SpiderMultusConfig {
	return &spiderpoolv2beta1.SpiderMultusConfig{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name},
		Spec: spiderpoolv2beta1.MultusCNIConfigSpec{CNIType: ptr.To(spiderpoolv2beta1.CNITypeMacvlan), EnableCoordinator: ptr.To(false),
			Macvlan: &spiderpoolv2beta1.MacvlanConfig{Master: []string{master},
				SpiderpoolConfigPools: &spiderpoolv2beta1.SpiderpoolPools{IPv4IPPool: []string{pool}}}},
	}
}

// getNAD reads a NetworkAttachmentDefinition (unstructured: the e2e
// client's scheme does not hold the Multus type).
func getNAD(ctx context.Context, key client.ObjectKey) (*unstructured.Unstructured, error) {
	nad := &unstructured.Unstructured{}
	nad.SetAPIVersion("k8s.cni.cncf.io/v1")
	nad.SetKind("NetworkAttachmentDefinition")
	return nad, shared.c.Get(ctx, key, nad)
}

// waitGeneratedNAD waits until the NAD of the SpiderMultusConfig key holds
// what multusconf generates from the stored object, controlled by it, and
// not the NAD whose UID is old; it returns the NAD.
func waitGeneratedNAD(t *testing.T, ctx context.Context, key client.ObjectKey, old types.UID) *unstructured.Unstructured {
	t.Helper()
	var nad *unstructured.Unstructured
	var last error
	err := wait.PollUntilContextTimeout(ctx, 500*time.Millisecond, nadTimeout, true, func(ctx context.Context) (bool, error) {
		nad, last = generatedNAD(ctx, key, old)
		return last == nil, nil
	})
	if err != nil {
		t.Fatalf("NAD of SpiderMultusConfig %s: %v: %v", key, err, last)
	}
	return nad
}

// generatedNAD checks the NAD of the SpiderMultusConfig key once.
func generatedNAD(ctx context.Context, key client.ObjectKey, old types.UID) (*unstructured.Unstructured, error) {
	smc := &spiderpoolv2beta1.SpiderMultusConfig{}
	if err := shared.c.Get(ctx, key, smc); err != nil {
		return nil, err
	}
	want, err := multusconf.NAD(smc)
	if err != nil {
		return nil, err
	}
	nad, err := getNAD(ctx, client.ObjectKeyFromObject(want))
	if err != nil {
		return nil, err
	}
	config, _, _ := unstructured.NestedString(nad.Object, "spec", "config")
	ref := metav1.GetControllerOf(nad)
	switch {
	case nad.GetUID() == old:
		return nil, fmt.Errorf("NAD %s is still the old one", nad.GetName())
	case config != want.Spec.Config:
		return nil, fmt.Errorf("config %s, want %s", config, want.Spec.Config)
	case ref == nil || ref.UID != smc.UID || !ptr.Deref(ref.BlockOwnerDeletion, false):
		return nil, fmt.Errorf("controller reference %+v, want SpiderMultusConfig %s", ref, smc.UID)
	case strings.Contains(config, `"coordinator"`):
		return nil, fmt.Errorf("config %s has the coordinator the lab lacks", config)
	}
	return nad, nil
}

// waitNADGone waits until the NAD key no longer exists.
func waitNADGone(t *testing.T, ctx context.Context, key client.ObjectKey) {
	t.Helper()
	err := wait.PollUntilContextTimeout(ctx, 500*time.Millisecond, nadTimeout, true, func(ctx context.Context) (bool, error) {
		_, err := getNAD(ctx, key)
		return apierrors.IsNotFound(err), nil
	})
	if err != nil {
		t.Fatalf("NAD %s still there: %v", key, err)
	}
}

// nicPool returns the IPv4 pool and address the pod's endpoint records for
// nic.
func nicPool(t *testing.T, ctx context.Context, ns, pod, nic string) (pool, ip string) {
	t.Helper()
	ep := &spiderpoolv2beta1.SpiderEndpoint{}
	if err := shared.c.Get(ctx, client.ObjectKey{Namespace: ns, Name: pod}, ep); err != nil {
		t.Fatalf("endpoint of %s/%s: %v", ns, pod, err)
	}
	for _, d := range ep.Status.Current.IPs {
		if d.NIC == nic {
			ip, _, _ = strings.Cut(ptr.Deref(d.IPv4, ""), "/")
			return ptr.Deref(d.IPv4Pool, ""), ip
		}
	}
	t.Fatalf("endpoint of %s/%s has no %s: %+v", ns, pod, nic, ep.Status.Current.IPs)
	return "", ""
}
