// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package webhook_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	ctrlconfig "sigs.k8s.io/controller-runtime/pkg/config"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"

	nadv1 "github.com/spiderpool-go/spiderpool/api/k8scni/v1"
	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
	"github.com/spiderpool-go/spiderpool/internal/controller"
	"github.com/spiderpool-go/spiderpool/internal/multusconf"
	"github.com/spiderpool-go/spiderpool/test/utils"
)

// errNotYet marks a condition polled for that does not hold yet.
var errNotYet = errors.New("not yet")

// startNADController runs the MultusConfigReconciler against env until
// the test ends.
func startNADController(t *testing.T, env *testEnv) {
	t.Helper()
	scheme, err := newScheme()
	if err != nil {
		t.Fatal(err)
	}
	mgr, err := ctrl.NewManager(env.env.Config, ctrl.Options{Scheme: scheme, Metrics: metricsserver.Options{BindAddress: "0"},
		HealthProbeBindAddress: "0", Controller: ctrlconfig.Controller{SkipNameValidation: ptr.To(true)}})
	if err != nil {
		t.Fatal(err)
	}
	r := &controller.MultusConfigReconciler{Client: mgr.GetClient(), Recorder: mgr.GetEventRecorderFor("spiderpool-controller"), Retry: time.Second}
	if err := r.SetupWithManager(mgr); err != nil {
		t.Fatal(err)
	}
	utils.StartManager(t, mgr)
}

// newTestNamespace creates a namespace for one test and deletes it after.
func newTestNamespace(t *testing.T, c client.Client) string {
	t.Helper()
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{GenerateName: "smc-"}}
	create(t, c, ns)
	t.Cleanup(func() { _ = c.Delete(context.WithoutCancel(t.Context()), ns) })
	return ns.Name
}

// nadMatches reports whether the NAD key holds the configuration smc (as
// stored) generates and is controlled by it; it returns the NAD.
func nadMatches(t *testing.T, c client.Client, key client.ObjectKey, smcKey client.ObjectKey) (*nadv1.NetworkAttachmentDefinition, error) {
	smc := &spiderpoolv2beta1.SpiderMultusConfig{}
	if err := c.Get(t.Context(), smcKey, smc); err != nil {
		return nil, err
	}
	want, err := multusconf.NAD(smc)
	if err != nil {
		return nil, err
	}
	nad := &nadv1.NetworkAttachmentDefinition{}
	if err := c.Get(t.Context(), key, nad); err != nil {
		return nil, fmt.Errorf("%w: %w", errNotYet, err)
	}
	ref := metav1.GetControllerOf(nad)
	switch {
	case nad.Spec.Config != want.Spec.Config:
		return nil, fmt.Errorf("%w: config %s, want %s", errNotYet, nad.Spec.Config, want.Spec.Config)
	case ref == nil || ref.UID != smc.UID || ref.Kind != spiderpoolv2beta1.KindSpiderMultusConfig || !ptr.Deref(ref.BlockOwnerDeletion, false):
		return nil, fmt.Errorf("%w: controller reference %+v, want SpiderMultusConfig %s (blockOwnerDeletion)", errNotYet, ref, smc.UID)
	}
	return nad, nil
}

// eventRecorded waits for an event of reason on the SpiderMultusConfig name.
func eventRecorded(t *testing.T, c client.Client, ns, name, reason string) {
	t.Helper()
	utils.Eventually(t, time.Minute, func() error {
		var events corev1.EventList
		if err := c.List(t.Context(), &events, client.InNamespace(ns)); err != nil {
			return err
		}
		for _, e := range events.Items {
			if e.InvolvedObject.Name == name && e.Reason == reason {
				return nil
			}
		}
		return fmt.Errorf("%w: no %s event on %s/%s", errNotYet, reason, ns, name)
	})
}

// TestMultusConfigNADLifecycle runs the controller with the real webhooks:
// a SpiderMultusConfig gets its NAD, an edit updates it, a NAD deleted by
// hand comes back, and the owner reference lets the garbage collector
// (absent from envtest) delete it with the SpiderMultusConfig.
func TestMultusConfigNADLifecycle(t *testing.T) {
	env := sharedEnv(t)
	c := env.client
	startNADController(t, env)
	ns := newTestNamespace(t, c)
	smc := &spiderpoolv2beta1.SpiderMultusConfig{ObjectMeta: metav1.ObjectMeta{Name: "macvlan", Namespace: ns},
		Spec: spiderpoolv2beta1.MultusCNIConfigSpec{CNIType: ptr.To("macvlan"),
			Macvlan: &spiderpoolv2beta1.MacvlanConfig{Master: []string{"eth1"}}}}
	create(t, c, smc)
	key := client.ObjectKeyFromObject(smc)
	var nad *nadv1.NetworkAttachmentDefinition
	utils.Eventually(t, time.Minute, func() (err error) { nad, err = nadMatches(t, c, key, key); return err })

	smc.Spec.Macvlan.VlanID = ptr.To[int32](100)
	if err := c.Update(t.Context(), smc); err != nil {
		t.Fatal(err)
	}
	utils.Eventually(t, time.Minute, func() (err error) { nad, err = nadMatches(t, c, key, key); return err })

	old := nad.UID
	if err := c.Delete(t.Context(), nad); err != nil {
		t.Fatal(err)
	}
	utils.Eventually(t, time.Minute, func() error {
		again, err := nadMatches(t, c, key, key)
		if err == nil && again.UID == old {
			return fmt.Errorf("%w: NAD not deleted yet", errNotYet)
		}
		return err
	})
}

// TestMultusConfigNADName checks annotation multus.spidernet.io/cr-name
// and the takeover rules: an uncontrolled NAD of the name is taken over,
// one another controller owns is left alone with a Warning event.
func TestMultusConfigNADName(t *testing.T) {
	env := sharedEnv(t)
	c := env.client
	startNADController(t, env)
	ns := newTestNamespace(t, c)
	spec := spiderpoolv2beta1.MultusCNIConfigSpec{CNIType: ptr.To("ipvlan"), IPvlan: &spiderpoolv2beta1.IPvlanConfig{Master: []string{"eth1"}}}

	named := &spiderpoolv2beta1.SpiderMultusConfig{ObjectMeta: metav1.ObjectMeta{Name: "named", Namespace: ns,
		Annotations: map[string]string{spiderpoolv2beta1.AnnoMultusConfigName: "custom-nad"}}, Spec: spec}
	create(t, c, named)
	utils.Eventually(t, time.Minute, func() error {
		_, err := nadMatches(t, c, client.ObjectKey{Namespace: ns, Name: "custom-nad"}, client.ObjectKeyFromObject(named))
		return err
	})

	create(t, c, &nadv1.NetworkAttachmentDefinition{ObjectMeta: metav1.ObjectMeta{Name: "adopted", Namespace: ns,
		Annotations: map[string]string{"stale": "x"}}, Spec: nadv1.NetworkAttachmentDefinitionSpec{Config: `{"old":true}`}})
	adopter := &spiderpoolv2beta1.SpiderMultusConfig{ObjectMeta: metav1.ObjectMeta{Name: "adopted", Namespace: ns}, Spec: spec}
	create(t, c, adopter)
	utils.Eventually(t, time.Minute, func() error {
		_, err := nadMatches(t, c, client.ObjectKeyFromObject(adopter), client.ObjectKeyFromObject(adopter))
		return err
	})
	eventRecorded(t, c, ns, "adopted", controller.ReasonNADTakenOver)

	holder := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "holder", Namespace: ns}}
	create(t, c, holder)
	foreign := &nadv1.NetworkAttachmentDefinition{ObjectMeta: metav1.ObjectMeta{Name: "foreign", Namespace: ns,
		OwnerReferences: []metav1.OwnerReference{{APIVersion: "v1", Kind: "ConfigMap", Name: "holder", UID: holder.UID, Controller: ptr.To(true)}}},
		Spec: nadv1.NetworkAttachmentDefinitionSpec{Config: `{"theirs":true}`}}
	create(t, c, foreign)
	create(t, c, &spiderpoolv2beta1.SpiderMultusConfig{ObjectMeta: metav1.ObjectMeta{Name: "foreign", Namespace: ns}, Spec: spec})
	eventRecorded(t, c, ns, "foreign", controller.ReasonNADNotOwned)
	if err := c.Get(t.Context(), client.ObjectKeyFromObject(foreign), foreign); err != nil || foreign.Spec.Config != `{"theirs":true}` {
		t.Errorf("the foreign NAD was changed: %v %q", err, foreign.Spec.Config)
	}
	if err := c.Get(t.Context(), client.ObjectKey{Namespace: ns, Name: "named"}, &nadv1.NetworkAttachmentDefinition{}); !apierrors.IsNotFound(err) {
		t.Errorf("a NAD named after the SpiderMultusConfig exists besides the cr-name one: %v", err)
	}
}
