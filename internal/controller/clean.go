// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package controller

import (
	"context"
	"errors"
	"fmt"

	"github.com/go-logr/logr"
	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	batchv1 "k8s.io/api/batch/v1"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/util/retry"
	"sigs.k8s.io/controller-runtime/pkg/client"

	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
)

// Objects of the SR-IOV network operator that the chart may install along
// with Spiderpool, removed on uninstall too (docs/reference/behaviour.md §9.7).
const (
	sriovGroup                  = "sriovnetwork.openshift.io"
	sriovOperatorConfigsCRD     = "sriovoperatorconfigs." + sriovGroup
	sriovInjectorWebhookConfig  = "network-resources-injector-config"
	sriovOperatorWebhookConfigs = "sriov-operator-webhook-config"
)

// CleanOptions say what the uninstall cleanup removes besides the
// Spiderpool resources and CRDs.
type CleanOptions struct {
	// ValidatingWebhook is Spiderpool's ValidatingWebhookConfiguration
	// ("" for none).
	ValidatingWebhook string
	// MutatingWebhook is Spiderpool's MutatingWebhookConfiguration ("" for
	// none).
	MutatingWebhook string
	// InitJobNamespace and InitJobName name the spiderpool-init Job (no Job
	// is deleted when InitJobName is "").
	InitJobNamespace, InitJobName string
}

// Clean removes what Spiderpool installed, for the chart's pre-delete hook
// (docs/reference/behaviour.md §9.7), in this order:
//
//  1. the webhook configurations, Spiderpool's and the SR-IOV operator's,
//     first: the controller may already be gone, and its fail-closed
//     webhooks would then refuse the deletions and updates below;
//  2. every SpiderIPPool, SpiderSubnet, SpiderEndpoint, SpiderReservedIP,
//     SpiderMultusConfig and SpiderCoordinator, and then their finalizers;
//  3. the CRDs of group spiderpool.spidernet.io, and of
//     sriovnetwork.openshift.io except sriovoperatorconfigs;
//  4. the spiderpool-init Job, its pods in the background.
//
// Missing objects and kinds count as removed. Every step runs even when an
// earlier one failed; the errors are joined.
func Clean(ctx context.Context, c client.Client, opts CleanOptions) error {
	errs := []error{deleteWebhooks(ctx, c, opts)}
	for _, list := range spiderLists() {
		errs = append(errs, deleteAll(ctx, c, list))
	}
	errs = append(errs, deleteCRDs(ctx, c), deleteInitJob(ctx, c, opts))
	return errors.Join(errs...)
}

// deleteWebhooks deletes the webhook configurations.
func deleteWebhooks(ctx context.Context, c client.Client, opts CleanOptions) error {
	var objs []client.Object
	for _, name := range []string{opts.MutatingWebhook, sriovInjectorWebhookConfig, sriovOperatorWebhookConfigs} {
		if name != "" {
			objs = append(objs, &admissionregistrationv1.MutatingWebhookConfiguration{ObjectMeta: metav1.ObjectMeta{Name: name}})
		}
	}
	for _, name := range []string{opts.ValidatingWebhook, sriovOperatorWebhookConfigs} {
		if name != "" {
			objs = append(objs, &admissionregistrationv1.ValidatingWebhookConfiguration{ObjectMeta: metav1.ObjectMeta{Name: name}})
		}
	}
	var errs []error
	for _, obj := range objs {
		errs = append(errs, deleteObject(ctx, c, obj))
	}
	return errors.Join(errs...)
}

// spiderLists returns an empty list of each Spiderpool kind, pools first
// so that nothing allocates from them while the rest goes.
func spiderLists() []client.ObjectList {
	return []client.ObjectList{
		&spiderpoolv2beta1.SpiderIPPoolList{},
		&spiderpoolv2beta1.SpiderSubnetList{},
		&spiderpoolv2beta1.SpiderEndpointList{},
		&spiderpoolv2beta1.SpiderReservedIPList{},
		&spiderpoolv2beta1.SpiderMultusConfigList{},
		&spiderpoolv2beta1.SpiderCoordinatorList{},
	}
}

// deleteAll deletes every object of list's kind, in every namespace, then
// removes the finalizers that hold it. Deleting first closes the window in
// which a running controller could add its finalizer back: the API server
// refuses new finalizers on an object being deleted. A kind whose CRD is
// gone has nothing to delete.
func deleteAll(ctx context.Context, c client.Client, list client.ObjectList) error {
	if err := c.List(ctx, list); err != nil {
		if gone(err) {
			return nil
		}
		return fmt.Errorf("list %T: %w", list, err)
	}
	items, err := meta.ExtractList(list)
	if err != nil {
		return fmt.Errorf("list %T: %w", list, err)
	}
	var errs []error
	for _, item := range items {
		obj, ok := item.(client.Object)
		if !ok {
			continue
		}
		if err := deleteObject(ctx, c, obj); err != nil {
			errs = append(errs, err)
			continue
		}
		errs = append(errs, stripFinalizers(ctx, c, obj))
	}
	return errors.Join(errs...)
}

// stripFinalizers removes every finalizer of obj, re-reading it on a
// conflict (an agent or the controller may be writing it). An object
// already gone is fine.
func stripFinalizers(ctx context.Context, c client.Client, obj client.Object) error {
	var removed []string
	err := retry.RetryOnConflict(retry.DefaultRetry, func() error {
		if err := c.Get(ctx, client.ObjectKeyFromObject(obj), obj); err != nil {
			return err
		}
		removed = obj.GetFinalizers()
		if len(removed) == 0 {
			return nil
		}
		obj.SetFinalizers(nil)
		return c.Update(ctx, obj)
	})
	switch {
	case apierrors.IsNotFound(err):
		return nil
	case err != nil:
		return fmt.Errorf("remove finalizers of %s: %w", describe(c, obj), err)
	case len(removed) > 0:
		logr.FromContextOrDiscard(ctx).Info("finalizers removed", "object", describe(c, obj), "finalizers", removed)
	}
	return nil
}

// deleteCRDs deletes the CRDs of Spiderpool's group and of the SR-IOV
// operator's, but for the operator's own configuration.
func deleteCRDs(ctx context.Context, c client.Client) error {
	var crds apiextensionsv1.CustomResourceDefinitionList
	if err := c.List(ctx, &crds); err != nil {
		return fmt.Errorf("list CustomResourceDefinitions: %w", err)
	}
	var errs []error
	for i := range crds.Items {
		crd := &crds.Items[i]
		ours := crd.Spec.Group == spiderpoolv2beta1.GroupName ||
			(crd.Spec.Group == sriovGroup && crd.Name != sriovOperatorConfigsCRD)
		if ours {
			errs = append(errs, deleteObject(ctx, c, crd))
		}
	}
	return errors.Join(errs...)
}

// deleteInitJob deletes the spiderpool-init Job; its pods go in the
// background.
func deleteInitJob(ctx context.Context, c client.Client, opts CleanOptions) error {
	if opts.InitJobName == "" {
		logr.FromContextOrDiscard(ctx).Info("no init Job named, none deleted")
		return nil
	}
	job := &batchv1.Job{ObjectMeta: metav1.ObjectMeta{Namespace: opts.InitJobNamespace, Name: opts.InitJobName}}
	return deleteObject(ctx, c, job, client.PropagationPolicy(metav1.DeletePropagationBackground))
}

// deleteObject deletes obj; an object already gone counts as deleted.
func deleteObject(ctx context.Context, c client.Client, obj client.Object, opts ...client.DeleteOption) error {
	err := c.Delete(ctx, obj, opts...)
	if gone(err) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("delete %s: %w", describe(c, obj), err)
	}
	logr.FromContextOrDiscard(ctx).Info("deleted", "object", describe(c, obj))
	return nil
}

// gone reports whether err says the object or its kind does not exist.
func gone(err error) bool {
	return apierrors.IsNotFound(err) || meta.IsNoMatchError(err)
}

// describe names obj in logs and errors: "SpiderIPPool default-v4-ippool".
func describe(c client.Client, obj client.Object) string {
	kind := fmt.Sprintf("%T", obj)
	if gvk, err := c.GroupVersionKindFor(obj); err == nil {
		kind = gvk.Kind
	}
	if ns := obj.GetNamespace(); ns != "" {
		return fmt.Sprintf("%s %s/%s", kind, ns, obj.GetName())
	}
	return fmt.Sprintf("%s %s", kind, obj.GetName())
}
