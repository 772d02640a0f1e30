// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package e2e

import (
	"context"
	"os/exec"
	"strings"
	"testing"
	"time"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
	"github.com/spiderpool-go/spiderpool/test/lab"
)

// TestChartLifecycle installs the chart into a fresh 2-node lab, checks the
// install, the chart's RBAC, an upgrade that changes conf.yml and the
// uninstall cleanup, in that order.
func TestChartLifecycle(t *testing.T) {
	ctx := testContext(t, 15*time.Minute)
	l, c := upChartLab(t, ctx, "c", 2)
	app := deployment("chart-app", "web", 4)
	createNamespace(t, ctx, c, app.Namespace)
	t.Run("install", func(t *testing.T) { checkInstalled(t, ctx, l, c, app) })
	t.Run("rbac", func(t *testing.T) { checkChartRBAC(t, ctx, l) })
	t.Run("upgrade", func(t *testing.T) { checkUpgrade(t, ctx, l, c, app) })
	t.Run("uninstall", func(t *testing.T) { checkUninstall(t, ctx, l, c) })
}

// checkInstalled: agents and controller Ready, the init Job succeeded and
// created the default pools, a Deployment gets addresses from them and,
// through the coordinator, reaches its nodes.
func checkInstalled(t *testing.T, ctx context.Context, l *lab.Lab, c client.Client, app *appsv1.Deployment) {
	agents := waitReadyPods(t, ctx, c, agentComponent, len(l.Nodes), nil)
	waitReadyPods(t, ctx, c, ctrlComponent, 1, nil)
	assertAgentProbes(t, ctx, agents)
	assertPluginsInstalled(t, l)
	job := &batchv1.Job{}
	if err := c.Get(ctx, client.ObjectKey{Namespace: lab.ReleaseNamespace, Name: "spiderpool-init"}, job); err != nil {
		t.Fatalf("get init Job: %v", err)
	}
	if job.Status.Succeeded < 1 {
		t.Errorf("init Job status %+v; want succeeded", job.Status)
	}
	for _, name := range []string{lab.DefaultIPv4PoolName, lab.DefaultIPv6PoolName} {
		pool := &spiderpoolv2beta1.SpiderIPPool{}
		if err := c.Get(ctx, client.ObjectKey{Name: name}, pool); err != nil {
			t.Fatalf("default pool %s: %v", name, err)
		}
		if !ptr.Deref(pool.Spec.Default, false) {
			t.Errorf("pool %s: spec.default is not true", name)
		}
	}
	checkDefaultMultusConfig(t, ctx, l, c)
	if err := c.Create(ctx, app); err != nil {
		t.Fatalf("create deployment: %v", err)
	}
	assertWorkloadAddresses(t, ctx, l, c, app, 4)
	checkChartCoordinator(t, ctx, l, c, waitRunningPods(t, ctx, c, app.Namespace, app.Name, 4))
}

// assertWorkloadAddresses waits for n pods of app with one IPv4 and one
// IPv6 address from the default pools, distinct, spread over the nodes and
// answering pings across nodes.
func assertWorkloadAddresses(t *testing.T, ctx context.Context, l *lab.Lab, c client.Client, app *appsv1.Deployment, n int) {
	t.Helper()
	pods := waitRunningPods(t, ctx, c, app.Namespace, app.Name, n)
	assertDistinctIPs(t, pods)
	for _, p := range pods {
		if len(p.Status.PodIPs) != 2 || !strings.HasPrefix(p.Status.PodIP, "10.250.1.") {
			t.Errorf("pod %s has IPs %v; want 10.250.1.x and an IPv6 address from the default pools", p.Name, p.Status.PodIPs)
		}
	}
	assertSpreadOverNodes(t, pods)
	for _, pair := range crossNodePairs(pods) {
		if err := ping(l, pair[0], pair[1].Status.PodIP); err != nil {
			t.Error(err)
		}
	}
}

// checkUpgrade: an upgrade changing ipam.enableStatefulSet rewrites conf.yml
// and replaces the agent and controller pods; pods still get addresses and
// the webhooks still answer (caBundle kept).
func checkUpgrade(t *testing.T, ctx context.Context, l *lab.Lab, c client.Client, app *appsv1.Deployment) {
	oldAgents, err := chartPods(ctx, c, agentComponent)
	if err != nil {
		t.Fatal(err)
	}
	oldCtrl, err := chartPods(ctx, c, ctrlComponent)
	if err != nil {
		t.Fatal(err)
	}
	if err := l.HelmUpgrade(ctx, "ipam.enableStatefulSet=false"); err != nil {
		t.Fatal(err)
	}
	cm := &corev1.ConfigMap{}
	if err := c.Get(ctx, client.ObjectKey{Namespace: lab.ReleaseNamespace, Name: "spiderpool-conf"}, cm); err != nil {
		t.Fatalf("get spiderpool-conf: %v", err)
	}
	if conf := cm.Data["conf.yml"]; !strings.Contains(conf, "enableStatefulSet: false") {
		t.Errorf("conf.yml after upgrade does not disable StatefulSets:\n%s", conf)
	}
	waitReadyPods(t, ctx, c, agentComponent, len(l.Nodes), uids(oldAgents))
	waitReadyPods(t, ctx, c, ctrlComponent, 1, uids(oldCtrl))
	patch := client.RawPatch(types.MergePatchType, []byte(`{"spec":{"replicas":6}}`))
	if err := c.Patch(ctx, app, patch); err != nil {
		t.Fatalf("scale %s to 6: %v", app.Name, err)
	}
	assertWorkloadAddresses(t, ctx, l, c, app, 6)
	assertCABundle(t, ctx, c)
	pool := &spiderpoolv2beta1.SpiderIPPool{
		ObjectMeta: metav1.ObjectMeta{Name: "after-upgrade"},
		Spec:       spiderpoolv2beta1.IPPoolSpec{Subnet: "10.251.0.0/16", IPs: []string{"10.251.0.10-10.251.0.20"}},
	}
	if err := c.Create(ctx, pool); err != nil {
		t.Fatalf("create a pool after the upgrade (webhooks): %v", err)
	}
	if ptr.Deref(pool.Spec.IPVersion, 0) != 4 {
		t.Errorf("pool created after the upgrade has ipVersion %v; want 4 set by the mutating webhook", pool.Spec.IPVersion)
	}
}

func assertCABundle(t *testing.T, ctx context.Context, c client.Client) {
	t.Helper()
	v := &admissionregistrationv1.ValidatingWebhookConfiguration{}
	if err := c.Get(ctx, client.ObjectKey{Name: lab.WebhookConfigurationName}, v); err != nil {
		t.Fatalf("get validating webhook configuration: %v", err)
	}
	for _, w := range v.Webhooks {
		if len(w.ClientConfig.CABundle) == 0 {
			t.Errorf("webhook %s has no caBundle", w.Name)
		}
	}
}

// checkUninstall: helm uninstall runs the pre-delete cleanup: webhook
// configurations, Spider* objects and CRDs are gone, and so is every
// process the lab ran for the release's pods.
func checkUninstall(t *testing.T, ctx context.Context, l *lab.Lab, c client.Client) {
	if len(podProcesses(l)) == 0 {
		t.Fatal("no pod processes before the uninstall: the check below would prove nothing")
	}
	if err := l.HelmUninstall(ctx); err != nil {
		t.Fatal(err)
	}
	for _, obj := range []client.Object{&admissionregistrationv1.MutatingWebhookConfiguration{}, &admissionregistrationv1.ValidatingWebhookConfiguration{}} {
		if err := c.Get(ctx, client.ObjectKey{Name: lab.WebhookConfigurationName}, obj); !apierrors.IsNotFound(err) {
			t.Errorf("%T after uninstall: err %v; want NotFound", obj, err)
		}
	}
	out, err := exec.CommandContext(ctx, l.Kubectl(), "--kubeconfig", l.Kubeconfig, "get", "crd", "-o", "name").CombinedOutput()
	if err != nil {
		t.Fatalf("kubectl get crd: %v: %s", err, out)
	}
	if strings.Contains(string(out), "spiderpool.spidernet.io") {
		t.Errorf("Spiderpool CRDs left after uninstall:\n%s", out)
	}
	err = wait.PollUntilContextTimeout(ctx, 250*time.Millisecond, time.Minute, true, func(context.Context) (bool, error) {
		return len(podProcesses(l)) == 0, nil
	})
	if err != nil {
		t.Errorf("pod processes left after uninstall: %v", podProcesses(l))
	}
}
