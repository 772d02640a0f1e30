// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package nodesim

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-logr/logr"
	"github.com/go-logr/logr/funcr"
	coordinationv1 "k8s.io/api/coordination/v1"
	corev1 "k8s.io/api/core/v1"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/rest"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/envtest"
)

// startAPIServer starts kube-apiserver + etcd with the NAD CRD, from
// $KUBEBUILDER_ASSETS or the cache hack/testbin.sh fills; it skips without them.
func startAPIServer(t *testing.T) (*envtest.Environment, client.Client) {
	t.Helper()
	dir := os.Getenv("KUBEBUILDER_ASSETS")
	if dir == "" {
		cache, _ := os.UserCacheDir()
		dir = filepath.Join(cache, "spiderpool-testbin", "k8s-v1.34.2-etcd-v3.6.4", "bin")
	}
	if _, err := os.Stat(filepath.Join(dir, "kube-apiserver")); err != nil {
		t.Skipf("kube-apiserver not found in %s: run hack/testbin.sh or set KUBEBUILDER_ASSETS", dir)
	}
	env := &envtest.Environment{BinaryAssetsDirectory: dir, CRDs: []*apiextensionsv1.CustomResourceDefinition{nadCRD()}}
	cfg, err := env.Start()
	if err != nil {
		t.Fatalf("start apiserver: %v", err)
	}
	t.Cleanup(func() {
		if err := env.Stop(); err != nil {
			t.Error(err)
		}
	})
	c, err := client.New(cfg, client.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return env, c
}

func nadCRD() *apiextensionsv1.CustomResourceDefinition {
	return &apiextensionsv1.CustomResourceDefinition{
		ObjectMeta: metav1.ObjectMeta{Name: "network-attachment-definitions.k8s.cni.cncf.io"},
		Spec: apiextensionsv1.CustomResourceDefinitionSpec{
			Group: "k8s.cni.cncf.io",
			Names: apiextensionsv1.CustomResourceDefinitionNames{Plural: "network-attachment-definitions",
				Singular: "network-attachment-definition", Kind: "NetworkAttachmentDefinition", ListKind: "NetworkAttachmentDefinitionList"},
			Scope: apiextensionsv1.NamespaceScoped,
			Versions: []apiextensionsv1.CustomResourceDefinitionVersion{{Name: "v1", Served: true, Storage: true,
				Schema: &apiextensionsv1.CustomResourceValidation{OpenAPIV3Schema: &apiextensionsv1.JSONSchemaProps{
					Type: "object", XPreserveUnknownFields: ptr.To(true)}}}},
		},
	}
}

// TestRun runs the whole simulator against a real kube-apiserver: node
// registration, a pod with a delegate network, a failing pod, a pod
// force-deleted while the simulator is down, and deletion.
func TestRun(t *testing.T) {
	node := newTestNode(t)
	env, c := startAPIServer(t)
	dataDir, confDir, stateDir := t.TempDir(), t.TempDir(), t.TempDir()
	def := macvlanNet(t, "labnet", "eth0", "eth0", dataDir, "10.250.0.0/24")
	if err := os.WriteFile(filepath.Join(confDir, "10-labnet.conflist"), def.Config, 0o600); err != nil {
		t.Fatal(err)
	}
	cfg := Config{NodeName: "node1", NodeIP: testNodeIP, HostNetNS: node.hostNS, CNIConfDir: confDir,
		CNIBinDirs: []string{pluginsDir(t)}, StateDir: stateDir, NetNSPrefix: node.netnsPrefix, RetryMaxDelay: time.Second}
	stop := startRun(t, cfg, env.Config)
	waitFor(t, "node Ready", func(ctx context.Context) (bool, error) {
		n := &corev1.Node{}
		err := c.Get(ctx, client.ObjectKey{Name: "node1"}, n)
		ready := findNodeCondition(n, corev1.NodeReady)
		return err == nil && ready != nil && ready.Status == corev1.ConditionTrue && n.Labels[corev1.LabelHostname] == "node1",
			client.IgnoreNotFound(err)
	})
	createNAD(t, c, "extra", string(macvlanNet(t, "extra", "net1", "eth0", dataDir, "10.252.0.0/24").Config))
	good := runTestPod(t, c, "good", "extra")
	bad := runTestPod(t, c, "bad", "no-such-nad")
	waitFor(t, "pod good Ready", func(ctx context.Context) (bool, error) {
		err := c.Get(ctx, client.ObjectKeyFromObject(good), good)
		return err == nil && good.Status.Phase == corev1.PodRunning && isPodReady(good), err
	})
	if !strings.HasPrefix(good.Status.PodIP, "10.250.0.") || !strings.Contains(good.Annotations[AnnotationNetworkStatus], `"net1"`) {
		t.Errorf("pod good: podIP %q, network-status %q", good.Status.PodIP, good.Annotations[AnnotationNetworkStatus])
	}
	waitFor(t, "FailedCreatePodSandBox event", func(ctx context.Context) (bool, error) {
		events := &corev1.EventList{}
		err := c.List(ctx, events, client.InNamespace("default"), client.MatchingFields{"involvedObject.name": "bad"})
		for _, e := range events.Items {
			if e.Reason == ReasonFailedCreatePodSandBox && strings.Contains(e.Message, "no-such-nad") {
				return true, nil
			}
		}
		return false, err
	})
	waitFor(t, "node lease", func(ctx context.Context) (bool, error) {
		err := c.Get(ctx, client.ObjectKey{Namespace: leaseNamespace, Name: "node1"}, &coordinationv1.Lease{})
		return err == nil, client.IgnoreNotFound(err)
	})

	// A pod force-deleted while the simulator is down is torn down at restart.
	stop()
	if err := c.Delete(t.Context(), good, client.GracePeriodSeconds(0)); err != nil {
		t.Fatal(err)
	}
	startRun(t, cfg, env.Config)
	waitFor(t, "sandbox of the force-deleted pod torn down", func(ctx context.Context) (bool, error) {
		recs, err := sandboxStore{dir: filepath.Join(stateDir, "sandboxes")}.list()
		return err == nil && len(recs) == 0 && len(node.podNetNSes(t)) == 0, err
	})

	if err := c.Delete(t.Context(), bad); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "pod bad gone", func(ctx context.Context) (bool, error) {
		err := c.Get(ctx, client.ObjectKeyFromObject(bad), &corev1.Pod{})
		return apierrors.IsNotFound(err), client.IgnoreNotFound(err)
	})
	if left := reservations(t, dataDir); len(left) != 0 {
		t.Errorf("host-local still reserves %v", left)
	}
}

// startRun runs the simulator until the returned stop is called (at the
// latest in the test's cleanup).
func startRun(t *testing.T, cfg Config, restConfig *rest.Config) (stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	errc := make(chan error, 1)
	go func() { errc <- Run(logrContext(ctx), cfg, restConfig) }()
	stop = sync.OnceFunc(func() {
		cancel()
		if err := <-errc; err != nil {
			t.Errorf("Run: %v", err)
		}
	})
	t.Cleanup(stop)
	return stop
}

func logrContext(ctx context.Context) context.Context {
	return logr.NewContext(ctx, funcr.New(func(prefix, args string) {
		fmt.Fprintln(os.Stderr, prefix, args)
	}, funcr.Options{}))
}

func createNAD(t *testing.T, c client.Client, name, config string) {
	t.Helper()
	nad := &unstructured.Unstructured{}
	nad.SetGroupVersionKind(nadGVK)
	nad.SetNamespace("default")
	nad.SetName(name)
	if err := unstructured.SetNestedField(nad.Object, config, "spec", "config"); err != nil {
		t.Fatal(err)
	}
	if err := c.Create(t.Context(), nad); err != nil {
		t.Fatal(err)
	}
}

func runTestPod(t *testing.T, c client.Client, name, networks string) *corev1.Pod {
	t.Helper()
	pod := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Namespace: "default", Name: name, Annotations: map[string]string{AnnotationNetworks: networks}},
		Spec:       corev1.PodSpec{NodeName: "node1", Containers: []corev1.Container{{Name: "app", Image: "nginx"}}},
	}
	if err := c.Create(t.Context(), pod); err != nil {
		t.Fatal(err)
	}
	return pod
}

func isPodReady(pod *corev1.Pod) bool {
	for _, c := range pod.Status.Conditions {
		if c.Type == corev1.PodReady {
			return c.Status == corev1.ConditionTrue
		}
	}
	return false
}

// waitFor polls cond for up to 30 s; the deadline bounds a broken run, no timing is asserted.
func waitFor(t *testing.T, what string, cond wait.ConditionWithContextFunc) {
	t.Helper()
	err := wait.PollUntilContextTimeout(t.Context(), 100*time.Millisecond, 30*time.Second, true, cond)
	if err != nil && !errors.Is(err, context.Canceled) {
		t.Fatalf("waiting for %s: %v", what, err)
	}
}
