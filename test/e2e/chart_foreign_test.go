// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package e2e

import (
	"errors"
	"testing"
	"time"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	batchv1 "k8s.io/api/batch/v1"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/spiderpool-go/spiderpool/test/lab"
)

// TestChartUninstallLeavesForeignObjects: helm uninstall runs the chart's
// pre-delete cleanup, which removes the release's webhook configurations,
// Spiderpool's CRDs and the init Job, but leaves the sriov-network-operator's
// CRD and webhook configurations, which the chart never installs, created
// here before the uninstall as that operator would.
func TestChartUninstallLeavesForeignObjects(t *testing.T) {
	ctx := testContext(t, 10*time.Minute)
	l, _ := upChartLab(t, ctx, "f", 1)
	cfg, err := l.RESTConfig()
	if err != nil {
		t.Fatal(err)
	}
	scheme := runtime.NewScheme()
	if err := errors.Join(clientgoscheme.AddToScheme(scheme), apiextensionsv1.AddToScheme(scheme)); err != nil {
		t.Fatal(err)
	}
	c, err := client.New(cfg, client.Options{Scheme: scheme})
	if err != nil {
		t.Fatal(err)
	}

	rules := []admissionregistrationv1.RuleWithOperations{{
		Operations: []admissionregistrationv1.OperationType{admissionregistrationv1.Create},
		Rule: admissionregistrationv1.Rule{APIGroups: []string{"sriovnetwork.openshift.io"}, APIVersions: []string{"v1"},
			Resources: []string{"sriovnetworks"}},
	}}
	cc := admissionregistrationv1.WebhookClientConfig{URL: ptr.To("https://127.0.0.1:1/sriov")}
	none, ignore := ptr.To(admissionregistrationv1.SideEffectClassNone), ptr.To(admissionregistrationv1.Ignore)
	foreign := []client.Object{
		&apiextensionsv1.CustomResourceDefinition{
			ObjectMeta: metav1.ObjectMeta{Name: "sriovnetworks.sriovnetwork.openshift.io"},
			Spec: apiextensionsv1.CustomResourceDefinitionSpec{
				Group: "sriovnetwork.openshift.io", Scope: apiextensionsv1.NamespaceScoped,
				Names: apiextensionsv1.CustomResourceDefinitionNames{Plural: "sriovnetworks", Kind: "SriovNetwork"},
				Versions: []apiextensionsv1.CustomResourceDefinitionVersion{{Name: "v1", Served: true, Storage: true,
					Schema: &apiextensionsv1.CustomResourceValidation{OpenAPIV3Schema: &apiextensionsv1.JSONSchemaProps{
						Type: "object", XPreserveUnknownFields: ptr.To(true)}}}},
			},
		},
		&admissionregistrationv1.MutatingWebhookConfiguration{ObjectMeta: metav1.ObjectMeta{Name: "network-resources-injector-config"},
			Webhooks: []admissionregistrationv1.MutatingWebhook{{Name: "injector.sriovnetwork.openshift.io", ClientConfig: cc,
				Rules: rules, SideEffects: none, FailurePolicy: ignore, AdmissionReviewVersions: []string{"v1"}}}},
		&admissionregistrationv1.MutatingWebhookConfiguration{ObjectMeta: metav1.ObjectMeta{Name: "sriov-operator-webhook-config"},
			Webhooks: []admissionregistrationv1.MutatingWebhook{{Name: "operator.sriovnetwork.openshift.io", ClientConfig: cc,
				Rules: rules, SideEffects: none, FailurePolicy: ignore, AdmissionReviewVersions: []string{"v1"}}}},
		&admissionregistrationv1.ValidatingWebhookConfiguration{ObjectMeta: metav1.ObjectMeta{Name: "sriov-operator-webhook-config"},
			Webhooks: []admissionregistrationv1.ValidatingWebhook{{Name: "operator.sriovnetwork.openshift.io", ClientConfig: cc,
				Rules: rules, SideEffects: none, FailurePolicy: ignore, AdmissionReviewVersions: []string{"v1"}}}},
	}
	// No clean-up: the lab, with these objects, goes when the test ends.
	for _, obj := range foreign {
		if err := c.Create(ctx, obj); err != nil {
			t.Fatalf("create %T %s: %v", obj, obj.GetName(), err)
		}
	}

	if err := l.HelmUninstall(ctx); err != nil {
		t.Fatal(err)
	}

	// The cleanup ran: Helm itself deletes neither the CRDs of crds/ nor
	// the init Job (a hook).
	ours := []client.Object{
		&apiextensionsv1.CustomResourceDefinition{ObjectMeta: metav1.ObjectMeta{Name: "spiderippools.spiderpool.spidernet.io"}},
		&batchv1.Job{ObjectMeta: metav1.ObjectMeta{Namespace: lab.ReleaseNamespace, Name: "spiderpool-init"}},
		&admissionregistrationv1.MutatingWebhookConfiguration{ObjectMeta: metav1.ObjectMeta{Name: lab.WebhookConfigurationName}},
		&admissionregistrationv1.ValidatingWebhookConfiguration{ObjectMeta: metav1.ObjectMeta{Name: lab.WebhookConfigurationName}},
	}
	for _, obj := range ours {
		err := c.Get(ctx, client.ObjectKeyFromObject(obj), obj)
		if err == nil && obj.GetDeletionTimestamp() != nil {
			continue // going: the CRD waits for its objects to be removed
		}
		if !apierrors.IsNotFound(err) {
			t.Errorf("%T %s after uninstall: err %v; want it deleted by the cleanup", obj, obj.GetName(), err)
		}
	}
	for _, obj := range foreign {
		if err := c.Get(ctx, client.ObjectKeyFromObject(obj), obj); err != nil {
			t.Errorf("%T %s after uninstall: %v; want it kept", obj, obj.GetName(), err)
		} else if obj.GetDeletionTimestamp() != nil {
			t.Errorf("%T %s is being deleted after uninstall; want it kept", obj, obj.GetName())
		}
	}
}
