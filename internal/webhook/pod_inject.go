// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package webhook

import (
	"context"

	admissionv1 "k8s.io/api/admission/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/selection"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/webhook/admission"

	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
	"github.com/spiderpool-go/spiderpool/internal/validation"
)

// PodMutatePath is the path of the Pod mutating webhook, as
// controller-runtime names it for core/v1 Pod.
const PodMutatePath = "/mutate--v1-pod"

// podWebhookName is Spiderpool's name of the Pod webhook.
const podWebhookName = "pods." + spiderpoolv2beta1.GroupName

// podInjectHooks is the Pod webhook: it attaches the networks a pod asks
// for with an inject annotation (docs/reference/behaviour.md §6.6).
type podInjectHooks struct {
	// namespaces reads the pod's Namespace for namespace-level inject
	// annotations: the manager's cache, so that pods without an annotation
	// cost no API call.
	namespaces client.Reader
	// configs lists the SpiderMultusConfigs of an annotated pod.
	configs client.Reader
}

var _ admission.CustomDefaulter = (*podInjectHooks)(nil)

// Default injects the networks of the pod's inject annotation, or of its
// namespace's, on CREATE. A pod without either is left alone.
func (h *podInjectHooks) Default(ctx context.Context, obj runtime.Object) error {
	pod, err := as[*corev1.Pod](obj)
	if err != nil {
		return err
	}
	namespace := pod.Namespace
	if req, err := admission.RequestFromContext(ctx); err == nil {
		if req.Operation != admissionv1.Create {
			return nil
		}
		if namespace == "" {
			namespace = req.Namespace
		}
	}
	inj, ok, err := h.injection(ctx, pod.Annotations, namespace)
	if err != nil || !ok {
		return err
	}
	smcs, err := h.selected(ctx, inj)
	if err != nil {
		return err
	}
	if errs := validation.InjectPodNetworks(pod, inj, smcs); len(errs) > 0 {
		return apierrors.NewInvalid(corev1.SchemeGroupVersion.WithKind("Pod").GroupKind(), podName(pod), errs)
	}
	return nil
}

// injection returns the inject annotation in effect for a pod with
// annotations in namespace: its own, else its namespace's (Spiderpool
// v1.2).
func (h *podInjectHooks) injection(ctx context.Context, annotations map[string]string, namespace string) (validation.PodInjection, bool, error) {
	if inj, ok := validation.InjectionOf(annotations); ok {
		return inj, true, nil
	}
	ns := &corev1.Namespace{}
	switch err := h.namespaces.Get(ctx, client.ObjectKey{Name: namespace}, ns); {
	case apierrors.IsNotFound(err):
		return validation.PodInjection{}, false, nil
	case err != nil:
		return validation.PodInjection{}, false, readFailed("Namespace "+namespace, err)
	}
	inj, ok := validation.InjectionOf(ns.Annotations)
	inj.Namespace = ns.Name
	return inj, ok, nil
}

// selected lists the SpiderMultusConfigs of every namespace labelled
// inj.Key=inj.Value (the SpiderMultusConfig webhook copies the annotation
// into that label).
func (h *podInjectHooks) selected(ctx context.Context, inj validation.PodInjection) ([]spiderpoolv2beta1.SpiderMultusConfig, error) {
	req, err := labels.NewRequirement(inj.Key, selection.Equals, []string{inj.Value})
	if err != nil {
		return nil, nil //nolint:nilerr // no SpiderMultusConfig can carry that label: InjectPodNetworks says why
	}
	var list spiderpoolv2beta1.SpiderMultusConfigList
	if err := h.configs.List(ctx, &list, client.MatchingLabelsSelector{Selector: labels.NewSelector().Add(*req)}); err != nil {
		return nil, readFailed("SpiderMultusConfigs", err)
	}
	return list.Items, nil
}

// podName names pod in messages: its name, else its generateName.
func podName(pod *corev1.Pod) string {
	if pod.Name != "" {
		return pod.Name
	}
	return pod.GenerateName
}
