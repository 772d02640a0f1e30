// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package controller_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"
	"sigs.k8s.io/controller-runtime/pkg/client/interceptor"

	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
	"github.com/spiderpool-go/spiderpool/internal/controller"
	"github.com/spiderpool-go/spiderpool/test/utils"
)

// cleanNamespace holds the namespaced objects of the clean test; it is
// also the namespace of the release being uninstalled.
const cleanNamespace = "spiderpool"

// cleanRelease is the Helm release being uninstalled.
const cleanRelease = "spiderpool"

// sriovGroup is the SR-IOV network operator's API group: its objects are
// never this chart's.
const sriovGroup = "sriovnetwork.openshift.io"

// cleanOptions are the options the chart's pre-delete hook passes.
func cleanOptions() controller.CleanOptions {
	return controller.CleanOptions{ValidatingWebhook: "spiderpool-controller", MutatingWebhook: "spiderpool-controller",
		InitJobNamespace: cleanNamespace, InitJobName: "spiderpool-init", ReleaseName: cleanRelease, ReleaseNamespace: cleanNamespace}
}

// helmOwned returns the annotations Helm puts on the objects of release
// name in namespace ns.
func helmOwned(name, ns string) map[string]string {
	return map[string]string{"meta.helm.sh/release-name": name, "meta.helm.sh/release-namespace": ns}
}

// startCleanAPIServer starts an API server of the clean test's own: the
// test deletes the CRDs, which the package's shared server must keep.
func startCleanAPIServer(t *testing.T) client.Client {
	t.Helper()
	scheme := runtime.NewScheme()
	if err := errors.Join(clientgoscheme.AddToScheme(scheme), apiextensionsv1.AddToScheme(scheme),
		spiderpoolv2beta1.AddToScheme(scheme)); err != nil {
		t.Fatal(err)
	}
	env, err := utils.NewEnvtest(scheme)
	if err != nil {
		t.Fatal(err)
	}
	env.CRDs = []*apiextensionsv1.CustomResourceDefinition{foreignCRD(sriovGroup, "sriovnetworks", "SriovNetwork"),
		foreignCRD(sriovGroup, "sriovoperatorconfigs", "SriovOperatorConfig"),
		foreignCRD(spiderpoolv2beta1.GroupName, "spiderextras", "SpiderExtra")}
	cfg, err := env.Start()
	if err != nil {
		t.Fatalf("start envtest: %v", err)
	}
	t.Cleanup(func() {
		if err := env.Stop(); err != nil {
			t.Errorf("stop envtest: %v", err)
		}
	})
	c, err := client.New(cfg, client.Options{Scheme: scheme})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// foreignCRDs are the names of the CRDs startCleanAPIServer adds, none of
// which the chart installs: the SR-IOV network operator's two, and one of
// Spiderpool's group that the chart does not ship.
var foreignCRDs = []string{"spiderextras.spiderpool.spidernet.io", "sriovnetworks.sriovnetwork.openshift.io",
	"sriovoperatorconfigs.sriovnetwork.openshift.io"}

// foreignCRD returns a namespaced CRD that the chart does not install.
func foreignCRD(group, plural, kind string) *apiextensionsv1.CustomResourceDefinition {
	return &apiextensionsv1.CustomResourceDefinition{
		ObjectMeta: metav1.ObjectMeta{Name: plural + "." + group},
		Spec: apiextensionsv1.CustomResourceDefinitionSpec{
			Group: group, Scope: apiextensionsv1.NamespaceScoped,
			Names: apiextensionsv1.CustomResourceDefinitionNames{Plural: plural, Kind: kind},
			Versions: []apiextensionsv1.CustomResourceDefinitionVersion{{Name: "v1", Served: true, Storage: true,
				Schema: &apiextensionsv1.CustomResourceValidation{OpenAPIV3Schema: &apiextensionsv1.JSONSchemaProps{
					Type: "object", XPreserveUnknownFields: ptr.To(true)}}}},
		},
	}
}

// spiderObjects returns one object of each Spiderpool kind, with
// Spiderpool's finalizer on the kinds that carry it.
func spiderObjects() []client.Object {
	fin := []string{spiderpoolv2beta1.SpiderFinalizer}
	return []client.Object{
		&spiderpoolv2beta1.SpiderIPPool{ObjectMeta: metav1.ObjectMeta{Name: "pool", Finalizers: fin},
			Spec: spiderpoolv2beta1.IPPoolSpec{IPVersion: ptr.To(int64(4)), Subnet: "10.1.0.0/24"}},
		&spiderpoolv2beta1.SpiderSubnet{ObjectMeta: metav1.ObjectMeta{Name: "subnet", Finalizers: fin},
			Spec: spiderpoolv2beta1.SubnetSpec{IPVersion: ptr.To(int64(4)), Subnet: "10.1.0.0/16"}},
		&spiderpoolv2beta1.SpiderEndpoint{ObjectMeta: metav1.ObjectMeta{Namespace: cleanNamespace, Name: "pod", Finalizers: fin},
			Status: spiderpoolv2beta1.WorkloadEndpointStatus{OwnerControllerType: "Pod", OwnerControllerName: "pod",
				Current: spiderpoolv2beta1.PodIPAllocation{UID: "u", Node: "node-1", IPs: []spiderpoolv2beta1.IPAllocationDetail{{NIC: "eth0"}}}}},
		&spiderpoolv2beta1.SpiderReservedIP{ObjectMeta: metav1.ObjectMeta{Name: "reserved"},
			Spec: spiderpoolv2beta1.ReservedIPSpec{IPVersion: ptr.To(int64(4)), IPs: []string{"10.1.0.9"}}},
		&spiderpoolv2beta1.SpiderMultusConfig{ObjectMeta: metav1.ObjectMeta{Namespace: cleanNamespace, Name: "macvlan"},
			Spec: spiderpoolv2beta1.MultusCNIConfigSpec{CNIType: ptr.To("macvlan"),
				Macvlan: &spiderpoolv2beta1.MacvlanConfig{Master: []string{"eth0"}}}},
		&spiderpoolv2beta1.SpiderCoordinator{ObjectMeta: metav1.ObjectMeta{Name: "default", Finalizers: fin},
			Spec: spiderpoolv2beta1.CoordinatorSpec{PodCIDRType: ptr.To("auto")}},
	}
}

// ourWebhooks returns the release's webhook configurations, as the chart
// renders them, dead: the controller is gone.
func ourWebhooks() []client.Object {
	return deadWebhooks("spiderpool-controller", spiderpoolv2beta1.GroupName, helmOwned(cleanRelease, cleanNamespace))
}

// foreignWebhooks returns the SR-IOV network operator's webhook
// configurations, which that operator creates itself.
func foreignWebhooks() []client.Object {
	return append(deadWebhooks("network-resources-injector-config", sriovGroup, nil),
		deadWebhooks("sriov-operator-webhook-config", sriovGroup, nil)...)
}

// deadWebhooks returns a Mutating and a ValidatingWebhookConfiguration
// named name, with annotations, that fail closed and point nowhere, as
// when their server is gone, catching every write to group's resources.
func deadWebhooks(name, group string, annotations map[string]string) []client.Object {
	rules := []admissionregistrationv1.RuleWithOperations{{
		Operations: []admissionregistrationv1.OperationType{admissionregistrationv1.OperationAll},
		Rule: admissionregistrationv1.Rule{APIGroups: []string{group},
			APIVersions: []string{"*"}, Resources: []string{"*"}},
	}}
	cc := admissionregistrationv1.WebhookClientConfig{URL: ptr.To("https://127.0.0.1:1/dead")}
	none := ptr.To(admissionregistrationv1.SideEffectClassNone)
	fail := ptr.To(admissionregistrationv1.Fail)
	meta := metav1.ObjectMeta{Name: name, Annotations: annotations}
	return []client.Object{
		&admissionregistrationv1.MutatingWebhookConfiguration{ObjectMeta: meta,
			Webhooks: []admissionregistrationv1.MutatingWebhook{{Name: "dead.spiderpool.spidernet.io", ClientConfig: cc,
				Rules: rules, SideEffects: none, FailurePolicy: fail, AdmissionReviewVersions: []string{"v1"}}}},
		&admissionregistrationv1.ValidatingWebhookConfiguration{ObjectMeta: *meta.DeepCopy(),
			Webhooks: []admissionregistrationv1.ValidatingWebhook{{Name: "dead.spiderpool.spidernet.io", ClientConfig: cc,
				Rules: rules, SideEffects: none, FailurePolicy: fail, AdmissionReviewVersions: []string{"v1"}}}},
	}
}

// initJob is the spiderpool-init Job, a Helm hook: it carries the chart's
// labels, not Helm's ownership annotations.
func initJob() *batchv1.Job {
	return &batchv1.Job{ObjectMeta: metav1.ObjectMeta{Namespace: cleanNamespace, Name: "spiderpool-init",
		Labels: map[string]string{"app.kubernetes.io/instance": cleanRelease}},
		Spec: batchv1.JobSpec{Template: corev1.PodTemplateSpec{Spec: corev1.PodSpec{
			RestartPolicy: corev1.RestartPolicyNever,
			Containers:    []corev1.Container{{Name: "init", Image: "spiderpool-controller"}},
		}}}}
}

// TestCleanRemovesOnlyOurs: Clean removes the release's webhooks, every
// Spider object, Spiderpool's CRDs and the init Job, and leaves the SR-IOV
// network operator's CRDs and webhooks and a CRD the chart does not ship.
func TestCleanRemovesOnlyOurs(t *testing.T) {
	c := startCleanAPIServer(t)
	objs := append([]client.Object{&corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: cleanNamespace}}, initJob()}, spiderObjects()...)
	objs = append(append(objs, ourWebhooks()...), foreignWebhooks()...)
	for _, obj := range objs {
		if err := c.Create(t.Context(), obj); err != nil {
			t.Fatalf("create %s: %v", obj.GetName(), err)
		}
	}
	// The API server takes up new webhooks a moment later: wait until the
	// dead one refuses a write, so that Clean meets it.
	utils.Eventually(t, time.Minute, func() error {
		probe := &spiderpoolv2beta1.SpiderReservedIP{ObjectMeta: metav1.ObjectMeta{Name: "probe"},
			Spec: spiderpoolv2beta1.ReservedIPSpec{IPVersion: ptr.To(int64(4)), IPs: []string{"10.1.0.8"}}}
		if err := c.Create(t.Context(), probe, client.DryRunAll); err == nil {
			return errors.New("the dead webhook is not called yet")
		}
		return nil
	})

	opts := cleanOptions()
	if err := controller.Clean(t.Context(), c, opts); err != nil {
		t.Fatalf("Clean() error = %v", err)
	}
	for _, obj := range append(ourWebhooks(), initJob()) {
		assertGone(t, c, obj)
	}
	for _, obj := range foreignWebhooks() {
		assertPresent(t, c, obj)
	}
	utils.Eventually(t, time.Minute, func() error { return onlyCRDsLeft(t, c, foreignCRDs...) })
	if err := controller.Clean(t.Context(), c, opts); err != nil {
		t.Errorf("second Clean() error = %v", err)
	}
	if err := onlyCRDsLeft(t, c, foreignCRDs...); err != nil {
		t.Errorf("after the second Clean(): %v", err)
	}
}

// assertGone checks that obj no longer exists.
func assertGone(t *testing.T, c client.Client, obj client.Object) {
	t.Helper()
	if err := c.Get(t.Context(), client.ObjectKeyFromObject(obj), obj); !apierrors.IsNotFound(err) {
		t.Errorf("%T %s: got error %v, want NotFound", obj, obj.GetName(), err)
	}
}

// assertPresent checks that obj still exists.
func assertPresent(t *testing.T, c client.Client, obj client.Object) {
	t.Helper()
	if err := c.Get(t.Context(), client.ObjectKeyFromObject(obj), obj); err != nil {
		t.Errorf("%T %s: %v, want it kept", obj, obj.GetName(), err)
	}
}

// onlyCRDsLeft reports whether the CRDs left are exactly want.
func onlyCRDsLeft(t *testing.T, c client.Client, want ...string) error {
	var crds apiextensionsv1.CustomResourceDefinitionList
	if err := c.List(t.Context(), &crds); err != nil {
		return err
	}
	var left []string
	for _, crd := range crds.Items {
		left = append(left, crd.Name)
	}
	if fmt.Sprint(left) != fmt.Sprint(want) {
		return fmt.Errorf("CRDs left: %v, want %v", left, want)
	}
	return nil
}

func TestCleanSubcommand(t *testing.T) {
	clean, _, err := controller.NewCommand().Find([]string{"clean"})
	if err != nil || clean.Name() != "clean" {
		t.Fatalf("no clean subcommand: %v", err)
	}
	if err := clean.ParseFlags([]string{"--validate", "v", "--mutating", "m"}); err != nil {
		t.Fatalf("flags: %v", err)
	}
	for flag, want := range map[string]string{"validate": "v", "mutating": "m"} {
		if got := clean.Flags().Lookup(flag).Value.String(); got != want {
			t.Errorf("--%s = %q, want %q", flag, got, want)
		}
	}
}

// errDeleteRefused is the error the fake API server gives to deletes of
// subnets and webhook configurations.
var errDeleteRefused = errors.New("delete refused")

func TestCleanGoesOnAndJoinsErrors(t *testing.T) {
	scheme := runtime.NewScheme()
	if err := errors.Join(clientgoscheme.AddToScheme(scheme), apiextensionsv1.AddToScheme(scheme),
		spiderpoolv2beta1.AddToScheme(scheme)); err != nil {
		t.Fatal(err)
	}
	objs := append(spiderObjects(), ourWebhooks()...)
	c := fake.NewClientBuilder().WithScheme(scheme).WithObjects(objs...).WithInterceptorFuncs(interceptor.Funcs{
		Delete: func(ctx context.Context, c client.WithWatch, obj client.Object, opts ...client.DeleteOption) error {
			switch obj.(type) {
			case *spiderpoolv2beta1.SpiderSubnet, *admissionregistrationv1.ValidatingWebhookConfiguration:
				return errDeleteRefused
			}
			return c.Delete(ctx, obj, opts...)
		},
	}).Build()
	err := controller.Clean(t.Context(), c, cleanOptions())
	if !errors.Is(err, errDeleteRefused) {
		t.Fatalf("Clean() error = %v, want the refused deletes", err)
	}
	for _, want := range []string{"SpiderSubnet subnet", "ValidatingWebhookConfiguration spiderpool-controller"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not name %s", err, want)
		}
	}
	// Everything else went, although earlier steps failed.
	for _, obj := range spiderObjects() {
		if _, isSubnet := obj.(*spiderpoolv2beta1.SpiderSubnet); !isSubnet {
			assertGone(t, c, obj)
		}
	}
	assertGone(t, c, &admissionregistrationv1.MutatingWebhookConfiguration{ObjectMeta: metav1.ObjectMeta{Name: "spiderpool-controller"}})
}

// TestCleanLeavesOtherReleases: webhook configurations and a Job with the
// names Clean is given, and a CRD of Spiderpool's, that belong to another
// Helm release or to none are left; so are the release's webhooks and Job
// when no release is named. The Spider objects go either way.
func TestCleanLeavesOtherReleases(t *testing.T) {
	scheme := runtime.NewScheme()
	if err := errors.Join(clientgoscheme.AddToScheme(scheme), apiextensionsv1.AddToScheme(scheme),
		spiderpoolv2beta1.AddToScheme(scheme)); err != nil {
		t.Fatal(err)
	}
	otherCRD := &apiextensionsv1.CustomResourceDefinition{ObjectMeta: metav1.ObjectMeta{
		Name: "spiderippools.spiderpool.spidernet.io", Annotations: helmOwned("spiderpool-crds", "kube-system")}}
	otherJob := initJob()
	otherJob.Labels = map[string]string{"app.kubernetes.io/instance": "other"}
	noRelease := cleanOptions()
	noRelease.ReleaseName, noRelease.ReleaseNamespace = "", ""
	for _, tc := range []struct {
		name string
		opts controller.CleanOptions
		kept []client.Object
	}{
		{"same release name, other namespace", cleanOptions(), append(deadWebhooks("spiderpool-controller",
			spiderpoolv2beta1.GroupName, helmOwned(cleanRelease, "other")), otherCRD, otherJob)},
		{"other release name", cleanOptions(),
			deadWebhooks("spiderpool-controller", spiderpoolv2beta1.GroupName, helmOwned("other", cleanNamespace))},
		{"no ownership", cleanOptions(), deadWebhooks("spiderpool-controller", spiderpoolv2beta1.GroupName, nil)},
		{"no release named", noRelease, append(ourWebhooks(), initJob())},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := fake.NewClientBuilder().WithScheme(scheme).WithObjects(append(spiderObjects(), tc.kept...)...).Build()
			if err := controller.Clean(t.Context(), c, tc.opts); err != nil {
				t.Fatalf("Clean() error = %v", err)
			}
			for _, obj := range tc.kept {
				assertPresent(t, c, obj)
			}
			for _, obj := range spiderObjects() {
				assertGone(t, c, obj)
			}
		})
	}
}
