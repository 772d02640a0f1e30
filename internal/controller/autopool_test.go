// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package controller_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/utils/ptr"

	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
	"github.com/spiderpool-go/spiderpool/internal/allocator"
	"github.com/spiderpool-go/spiderpool/internal/autopool"
	"github.com/spiderpool-go/spiderpool/internal/controller"
	"github.com/spiderpool-go/spiderpool/test/utils"
)

// TestAutoPoolFollowsScale: a flexible Deployment's pool follows its
// replicas 2 → 10 → 3 (replicas + 1), an allocated IP survives the shrink,
// and the pool has Spiderpool's shape.
func TestAutoPoolFollowsScale(t *testing.T) {
	ns := startAutoPoolController(t, 0)
	subnet := createSubnet(t, "10.32.0.0/24", "10.32.0.254", "10.32.0.1-10.32.0.200")
	annos := subnetAnno(subnet.Name)
	annos[spiderpoolv2beta1.AnnoPoolIPNumber] = "+1"
	d := deployment(ns, "web", 2, annos)
	create(t, d)
	utils.Eventually(t, time.Minute, func() error { return poolSized(t, ns, "web", subnet.Name, 3) })
	pool := appPools(t, ns, "web")[0]
	checkAutoPoolShape(t, &pool, subnet, d.UID)

	scale(t, d, 10)
	utils.Eventually(t, time.Minute, func() error { return poolSized(t, ns, "web", subnet.Name, 11) })
	agentWrites(t, pool.Name, records("10.32.0.9"), 1)
	scale(t, d, 3)
	utils.Eventually(t, time.Minute, func() error { return poolSized(t, ns, "web", subnet.Name, 4) })
	pool = appPools(t, ns, "web")[0]
	if !slices.Equal(pool.Spec.IPs, []string{"10.32.0.8-10.32.0.11"}) {
		t.Errorf("after the shrink the pool holds %v, want the highest free IPs and 10.32.0.9 kept", pool.Spec.IPs)
	}
	utils.Eventually(t, time.Minute, func() error { return subnetCountsAre(t, subnet.Name, 200, 4) })

	// Every IP held: the shrink to 2 waits until two are released.
	agentWrites(t, pool.Name, records("10.32.0.8", "10.32.0.9", "10.32.0.10", "10.32.0.11"), 4)
	scale(t, d, 1)
	time.Sleep(2 * time.Second) // two retries of the controller, which must not drop a held IP
	if got := appPools(t, ns, "web")[0].Spec.IPs; !slices.Equal(got, []string{"10.32.0.8-10.32.0.11"}) {
		t.Fatalf("the pool shrank over held IPs: %v", got)
	}
	agentWrites(t, pool.Name, records("10.32.0.9", "10.32.0.10"), 2)
	utils.Eventually(t, time.Minute, func() error { return poolSized(t, ns, "web", subnet.Name, 2) })
	if got := appPools(t, ns, "web")[0].Spec.IPs; !slices.Equal(got, []string{"10.32.0.9-10.32.0.10"}) {
		t.Errorf("after the waiting shrink the pool holds %v, want the two held IPs", got)
	}
}

// checkAutoPoolShape checks the labels, annotation, affinity, owner and
// inherited fields of an auto-created pool.
func checkAutoPoolShape(t *testing.T, pool *spiderpoolv2beta1.SpiderIPPool, subnet *spiderpoolv2beta1.SpiderSubnet, uid types.UID) {
	t.Helper()
	wantName := autopool.PoolName(allocator.IPv4, "web", "eth0", uid)
	l := pool.Labels
	switch {
	case pool.Name != wantName:
		t.Errorf("pool name %s, want %s", pool.Name, wantName)
	case string(uid) != l[spiderpoolv2beta1.LabelOwnerApplicationUID]:
		t.Errorf("uid label %s, want %v", l[spiderpoolv2beta1.LabelOwnerApplicationUID], uid)
	case l[spiderpoolv2beta1.LabelOwnerApplicationGV] != "apps_v1" || l[spiderpoolv2beta1.LabelOwnerApplicationKind] != "Deployment" ||
		l[spiderpoolv2beta1.LabelIPPoolInterface] != "eth0" || l[spiderpoolv2beta1.LabelIPPoolVersion] != "IPv4" ||
		l[spiderpoolv2beta1.LabelIPPoolReclaim] != "true" || l[spiderpoolv2beta1.LabelOwnerSpiderSubnet] != subnet.Name ||
		l[spiderpoolv2beta1.LabelIPPoolCIDR] != "10-32-0-0-24":
		t.Errorf("labels %v", l)
	case pool.Annotations[spiderpoolv2beta1.AnnoPoolIPNumber] != "+1":
		t.Errorf("annotations %v", pool.Annotations)
	case pool.Spec.PodAffinity == nil || pool.Spec.PodAffinity.MatchLabels[spiderpoolv2beta1.AppLabelKind] != "Deployment":
		t.Errorf("podAffinity %v", pool.Spec.PodAffinity)
	case ptr.Deref(pool.Spec.Gateway, "") != "10.32.0.254" || !slices.Contains(pool.Finalizers, spiderpoolv2beta1.SpiderFinalizer):
		t.Errorf("gateway %v finalizers %v", pool.Spec.Gateway, pool.Finalizers)
	case metav1.GetControllerOf(pool) == nil || metav1.GetControllerOf(pool).Name != subnet.Name:
		t.Errorf("owner %v", pool.OwnerReferences)
	}
}

// TestAutoPoolReclaim: deleting an application deletes its pool with
// reclaim true; with reclaim false the pool stays and the next application
// of the same kind, namespace and name adopts it.
func TestAutoPoolReclaim(t *testing.T) {
	ns := startAutoPoolController(t, 1)
	subnet := createSubnet(t, "10.33.0.0/24", "", "10.33.0.1-10.33.0.50")
	create(t, deployment(ns, "gone", 1, subnetAnno(subnet.Name)))
	kept := subnetAnno(subnet.Name)
	kept[spiderpoolv2beta1.AnnoPoolReclaim] = "false"
	create(t, deployment(ns, "kept", 1, kept))
	utils.Eventually(t, time.Minute, func() error { return poolSized(t, ns, "gone", subnet.Name, 2) })
	utils.Eventually(t, time.Minute, func() error { return poolSized(t, ns, "kept", subnet.Name, 2) })
	keptPool := appPools(t, ns, "kept")[0].Name

	for _, name := range []string{"gone", "kept"} {
		d := deployment(ns, name, 0, nil)
		if err := apiServer.client.Delete(t.Context(), d); err != nil {
			t.Fatal(err)
		}
	}
	utils.Eventually(t, time.Minute, func() error {
		if n := len(appPools(t, ns, "gone")); n != 0 {
			return fmt.Errorf("%w: %d pools of the deleted app left", errWaiting, n)
		}
		return subnetCountsAre(t, subnet.Name, 50, 2)
	})
	if len(appPools(t, ns, "kept")) != 1 {
		t.Fatal("the reclaim=false pool went with its app")
	}
	again := deployment(ns, "kept", 3, kept)
	create(t, again)
	utils.Eventually(t, time.Minute, func() error {
		if err := poolSized(t, ns, "kept", subnet.Name, 4); err != nil {
			return err
		}
		pool := appPools(t, ns, "kept")[0]
		if pool.Name != keptPool || pool.Labels[spiderpoolv2beta1.LabelOwnerApplicationUID] != string(again.UID) {
			return fmt.Errorf("%w: pool %s uid %s, want %s adopted by %s", errWaiting, pool.Name,
				pool.Labels[spiderpoolv2beta1.LabelOwnerApplicationUID], keptPool, again.UID)
		}
		return nil
	})
}

// TestAutoPoolCronJobAndDualStack: a CronJob's pool is sized from its job
// template (its Jobs get none of their own); a Deployment asking for two
// interfaces, the first dual stack, gets three pools; the cluster default
// "+N" applies without the ip-number annotation.
func TestAutoPoolCronJobAndDualStack(t *testing.T) {
	ns := startAutoPoolController(t, 2)
	s4 := createSubnet(t, "10.34.0.0/24", "", "10.34.0.1-10.34.0.50")
	s6 := createSubnet(t, "fd00:34::/120", "", "fd00:34::1-fd00:34::50")
	s4b := createSubnet(t, "10.35.0.0/24", "", "10.35.0.1-10.35.0.50")
	cj := &batchv1.CronJob{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "cron"}, Spec: batchv1.CronJobSpec{Schedule: "* * * * *",
		JobTemplate: batchv1.JobTemplateSpec{Spec: batchv1.JobSpec{Parallelism: ptr.To[int32](3), Template: podTemplate(nil, subnetAnno(s4.Name))}}}}
	cj.Spec.JobTemplate.Spec.Template.Spec.RestartPolicy = corev1.RestartPolicyNever
	create(t, cj)
	utils.Eventually(t, time.Minute, func() error { return poolSized(t, ns, "cron", s4.Name, 5) })

	multi := fmt.Sprintf(`[{"interface":"eth0","ipv4":[%q],"ipv6":[%q]},{"interface":"net1","ipv4":[%q]}]`, s4.Name, s6.Name, s4b.Name)
	create(t, deployment(ns, "dual", 1, map[string]string{spiderpoolv2beta1.AnnoSubnets: multi}))
	utils.Eventually(t, time.Minute, func() error {
		pools := appPools(t, ns, "dual")
		var got []string
		for _, p := range pools {
			got = append(got, fmt.Sprintf("%s/%s/%d", p.Labels[spiderpoolv2beta1.LabelIPPoolInterface],
				p.Labels[spiderpoolv2beta1.LabelIPPoolVersion], len(p.Spec.IPs)))
		}
		slices.Sort(got)
		if !slices.Equal(got, []string{"eth0/IPv4/1", "eth0/IPv6/1", "net1/IPv4/1"}) {
			return fmt.Errorf("%w: pools %v", errWaiting, got)
		}
		for _, p := range pools {
			if p.Labels[spiderpoolv2beta1.LabelIPPoolVersion] == "IPv6" && !slices.Equal(p.Spec.IPs, []string{"fd00:34::1-fd00:34::3"}) {
				return fmt.Errorf("%w: IPv6 pool %v", errWaiting, p.Spec.IPs)
			}
		}
		return nil
	})
}

// TestAutoPoolBadAnnotation: a malformed annotation makes no pool and a
// Warning event on the application that names the annotation.
func TestAutoPoolBadAnnotation(t *testing.T) {
	ns := startAutoPoolController(t, 1)
	annos := subnetAnno("whatever")
	annos[spiderpoolv2beta1.AnnoPoolIPNumber] = "-3"
	create(t, deployment(ns, "bad", 1, annos))
	utils.Eventually(t, time.Minute, func() error {
		return eventNamed(t, ns, "bad", controller.ReasonBadAutoPoolAnnotation, spiderpoolv2beta1.AnnoPoolIPNumber)
	})
	if n := len(appPools(t, ns, "bad")); n != 0 {
		t.Errorf("%d pools made from a bad annotation", n)
	}
}

func containsText(s, sub string) bool { return strings.Contains(s, sub) }
