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

// cleanNamespace holds the namespaced objects of the clean test.
const cleanNamespace = "spiderpool"

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
	env.CRDs = []*apiextensionsv1.CustomResourceDefinition{sriovCRD("sriovnetworks", "SriovNetwork"),
		sriovCRD("sriovoperatorconfigs", "SriovOperatorConfig")}
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

// sriovCRD returns a namespaced CRD of the SR-IOV operator's group.
func sriovCRD(plural, kind string) *apiextensionsv1.CustomResourceDefinition {
	return &apiextensionsv1.CustomResourceDefinition{
		ObjectMeta: metav1.ObjectMeta{Name: plural + ".sriovnetwork.openshift.io"},
		Spec: apiextensionsv1.CustomResourceDefinitionSpec{
			Group: "sriovnetwork.openshift.io", Scope: apiextensionsv1.NamespaceScoped,
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

// deadWebhooks returns webhook configurations that fail closed and point
// nowhere, as when the controller is gone: Spiderpool's, catching every
// write to its resources, and the SR-IOV operator's.
func deadWebhooks() []client.Object {
	rules := []admissionregistrationv1.RuleWithOperations{{
		Operations: []admissionregistrationv1.OperationType{admissionregistrationv1.OperationAll},
		Rule: admissionregistrationv1.Rule{APIGroups: []string{spiderpoolv2beta1.GroupName, "sriovnetwork.openshift.io"},
			APIVersions: []string{"*"}, Resources: []string{"*"}},
	}}
	cc := admissionregistrationv1.WebhookClientConfig{URL: ptr.To("https://127.0.0.1:1/dead")}
	none := ptr.To(admissionregistrationv1.SideEffectClassNone)
	fail := ptr.To(admissionregistrationv1.Fail)
	mutating := func(name string) client.Object {
		return &admissionregistrationv1.MutatingWebhookConfiguration{ObjectMeta: metav1.ObjectMeta{Name: name},
			Webhooks: []admissionregistrationv1.MutatingWebhook{{Name: "dead.spiderpool.spidernet.io", ClientConfig: cc,
				Rules: rules, SideEffects: none, FailurePolicy: fail, AdmissionReviewVersions: []string{"v1"}}}}
	}
	validating := func(name string) client.Object {
		return &admissionregistrationv1.ValidatingWebhookConfiguration{ObjectMeta: metav1.ObjectMeta{Name: name},
			Webhooks: []admissionregistrationv1.ValidatingWebhook{{Name: "dead.spiderpool.spidernet.io", ClientConfig: cc,
				Rules: rules, SideEffects: none, FailurePolicy: fail, AdmissionReviewVersions: []string{"v1"}}}}
	}
	return []client.Object{mutating("spiderpool-controller"), validating("spiderpool-controller"),
		mutating("network-resources-injector-config"), mutating("sriov-operator-webhook-config"),
		validating("sriov-operator-webhook-config")}
}

// initJob is the spiderpool-init Job.
func initJob() *batchv1.Job {
	return &batchv1.Job{ObjectMeta: metav1.ObjectMeta{Namespace: cleanNamespace, Name: "spiderpool-init"},
		Spec: batchv1.JobSpec{Template: corev1.PodTemplateSpec{Spec: corev1.PodSpec{
			RestartPolicy: corev1.RestartPolicyNever,
			Containers:    []corev1.Container{{Name: "init", Image: "spiderpool-controller"}},
		}}}}
}

func TestCleanRemovesEverything(t *testing.T) {
	c := startCleanAPIServer(t)
	objs := append([]client.Object{&corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: cleanNamespace}}, initJob()}, spiderObjects()...)
	for _, obj := range append(objs, deadWebhooks()...) {
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

	opts := controller.CleanOptions{ValidatingWebhook: "spiderpool-controller", MutatingWebhook: "spiderpool-controller",
		InitJobNamespace: cleanNamespace, InitJobName: "spiderpool-init"}
	if err := controller.Clean(t.Context(), c, opts); err != nil {
		t.Fatalf("Clean() error = %v", err)
	}
	for _, obj := range append(deadWebhooks(), initJob()) {
		assertGone(t, c, obj)
	}
	utils.Eventually(t, time.Minute, func() error { return onlyCRDsLeft(t, c, "sriovoperatorconfigs.sriovnetwork.openshift.io") })
	if err := controller.Clean(t.Context(), c, opts); err != nil {
		t.Errorf("second Clean() error = %v", err)
	}
}

// assertGone checks that obj no longer exists.
func assertGone(t *testing.T, c client.Client, obj client.Object) {
	t.Helper()
	if err := c.Get(t.Context(), client.ObjectKeyFromObject(obj), obj); !apierrors.IsNotFound(err) {
		t.Errorf("%T %s: got error %v, want NotFound", obj, obj.GetName(), err)
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
	objs := append(spiderObjects(), deadWebhooks()...)
	c := fake.NewClientBuilder().WithScheme(scheme).WithObjects(objs...).WithInterceptorFuncs(interceptor.Funcs{
		Delete: func(ctx context.Context, c client.WithWatch, obj client.Object, opts ...client.DeleteOption) error {
			switch obj.(type) {
			case *spiderpoolv2beta1.SpiderSubnet, *admissionregistrationv1.ValidatingWebhookConfiguration:
				return errDeleteRefused
			}
			return c.Delete(ctx, obj, opts...)
		},
	}).Build()
	err := controller.Clean(t.Context(), c, controller.CleanOptions{ValidatingWebhook: "spiderpool-controller",
		MutatingWebhook: "spiderpool-controller", InitJobNamespace: cleanNamespace, InitJobName: "spiderpool-init"})
	if !errors.Is(err, errDeleteRefused) {
		t.Fatalf("Clean() error = %v, want the refused deletes", err)
	}
	for _, want := range []string{"SpiderSubnet subnet", "ValidatingWebhookConfiguration spiderpool-controller",
		"ValidatingWebhookConfiguration sriov-operator-webhook-config"} {
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
