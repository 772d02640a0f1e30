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

	ipamclaimsv1alpha1 "github.com/spiderpool-go/spiderpool/api/ipamclaims/v1alpha1"
	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
)

// How Clean tells the release's objects from others'.
const (
	// Helm's ownership annotations, on every object of a release but its
	// hooks and the CRDs of its crds/ directory.
	helmReleaseNameAnnotation      = "meta.helm.sh/release-name"
	helmReleaseNamespaceAnnotation = "meta.helm.sh/release-namespace"
	// instanceLabel is the chart's label naming the release, on every
	// object it renders, hooks included.
	instanceLabel = "app.kubernetes.io/instance"
)

// spiderCRDs are the CRDs of the chart's crds/ directory that Clean
// deletes: the six of group spiderpool.spidernet.io and our SpiderIPClaim
// (config/crd/bases; the cleanup's RBAC names the same seven). Claims have
// no finalizer: they go with their CRD.
var spiderCRDs = []string{
	"spiderippools." + spiderpoolv2beta1.GroupName,
	"spidersubnets." + spiderpoolv2beta1.GroupName,
	"spiderendpoints." + spiderpoolv2beta1.GroupName,
	"spiderreservedips." + spiderpoolv2beta1.GroupName,
	"spidermultusconfigs." + spiderpoolv2beta1.GroupName,
	"spidercoordinators." + spiderpoolv2beta1.GroupName,
	"spideripclaims." + ipamclaimsv1alpha1.GroupName,
}

// CleanOptions say what the uninstall cleanup removes besides the
// Spiderpool resources and CRDs, and which release is uninstalled.
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
	// ReleaseName and ReleaseNamespace name the Helm release being
	// uninstalled. A webhook configuration is deleted only when Helm's
	// ownership annotations name this release, the init Job (a hook, which
	// Helm does not annotate) only when its instance label does; with no
	// release named, neither is deleted.
	ReleaseName, ReleaseNamespace string
}

// releaseOwns reports whether obj carries Helm's ownership annotations of
// the release being uninstalled.
func (o CleanOptions) releaseOwns(obj client.Object) bool {
	a := obj.GetAnnotations()
	return o.ReleaseName != "" && a[helmReleaseNameAnnotation] == o.ReleaseName &&
		a[helmReleaseNamespaceAnnotation] == o.ReleaseNamespace
}

// releaseHook reports whether obj, a hook of the release's namespace,
// carries the release's instance label.
func (o CleanOptions) releaseHook(obj client.Object) bool {
	return o.ReleaseName != "" && obj.GetNamespace() == o.ReleaseNamespace && obj.GetLabels()[instanceLabel] == o.ReleaseName
}

// spiderCRD reports whether crd, one of spiderCRDs, is the chart's: Helm
// installs the crds/ directory without ownership annotations, so one that
// carries another release's belongs to that release.
func (o CleanOptions) spiderCRD(crd client.Object) bool {
	_, owned := crd.GetAnnotations()[helmReleaseNameAnnotation]
	return !owned || o.releaseOwns(crd)
}

// Clean removes what the chart installed, for its pre-delete hook
// (Spiderpool's clean, docs/reference/behaviour.md §9.7, without the
// sriov-network-operator's objects, which this chart never installs), in
// this order:
//
//  1. the release's webhook configurations first: the controller may
//     already be gone, and its fail-closed webhooks would then refuse the
//     deletions and updates below;
//  2. every SpiderIPPool, SpiderSubnet, SpiderEndpoint, SpiderReservedIP,
//     SpiderMultusConfig and SpiderCoordinator, and then their finalizers;
//  3. the seven CRDs of the chart's crds/ directory, by name;
//  4. the spiderpool-init Job, its pods in the background.
//
// Webhook configurations, CRDs and the Job are read first and deleted only
// when they are the release's (CleanOptions); another product's or another
// release's are logged and left. Missing objects and kinds count as
// removed. Every step runs even when an earlier one failed; the errors are
// joined.
func Clean(ctx context.Context, c client.Client, opts CleanOptions) error {
	if opts.ReleaseName == "" {
		logr.FromContextOrDiscard(ctx).Info("no Helm release named: its webhook configurations and init Job are left")
	}
	errs := []error{deleteWebhooks(ctx, c, opts)}
	for _, list := range spiderLists() {
		errs = append(errs, deleteAll(ctx, c, list))
	}
	errs = append(errs, deleteCRDs(ctx, c, opts), deleteInitJob(ctx, c, opts))
	return errors.Join(errs...)
}

// deleteWebhooks deletes the release's webhook configurations.
func deleteWebhooks(ctx context.Context, c client.Client, opts CleanOptions) error {
	var objs []client.Object
	if opts.MutatingWebhook != "" {
		objs = append(objs, &admissionregistrationv1.MutatingWebhookConfiguration{ObjectMeta: metav1.ObjectMeta{Name: opts.MutatingWebhook}})
	}
	if opts.ValidatingWebhook != "" {
		objs = append(objs, &admissionregistrationv1.ValidatingWebhookConfiguration{ObjectMeta: metav1.ObjectMeta{Name: opts.ValidatingWebhook}})
	}
	var errs []error
	for _, obj := range objs {
		errs = append(errs, deleteIf(ctx, c, obj, opts.releaseOwns))
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

// deleteCRDs deletes the chart's CRDs, by name: never one of another group
// or one the chart does not ship.
func deleteCRDs(ctx context.Context, c client.Client, opts CleanOptions) error {
	var errs []error
	for _, name := range spiderCRDs {
		crd := &apiextensionsv1.CustomResourceDefinition{ObjectMeta: metav1.ObjectMeta{Name: name}}
		errs = append(errs, deleteIf(ctx, c, crd, opts.spiderCRD))
	}
	return errors.Join(errs...)
}

// deleteInitJob deletes the release's spiderpool-init Job; its pods go in
// the background.
func deleteInitJob(ctx context.Context, c client.Client, opts CleanOptions) error {
	if opts.InitJobName == "" {
		logr.FromContextOrDiscard(ctx).Info("no init Job named, none deleted")
		return nil
	}
	job := &batchv1.Job{ObjectMeta: metav1.ObjectMeta{Namespace: opts.InitJobNamespace, Name: opts.InitJobName}}
	return deleteIf(ctx, c, job, opts.releaseHook, client.PropagationPolicy(metav1.DeletePropagationBackground))
}

// deleteIf reads obj by its name and deletes it when ours(obj), that very
// object only (a UID precondition): one re-created meanwhile by someone
// else is not touched. An object that is not ours is logged and left; a
// missing one counts as deleted.
func deleteIf(ctx context.Context, c client.Client, obj client.Object, ours func(client.Object) bool, opts ...client.DeleteOption) error {
	if err := c.Get(ctx, client.ObjectKeyFromObject(obj), obj); err != nil {
		if gone(err) {
			return nil
		}
		return fmt.Errorf("get %s: %w", describe(c, obj), err)
	}
	if !ours(obj) {
		logr.FromContextOrDiscard(ctx).Info("left: not this release's", "object", describe(c, obj),
			"releaseName", obj.GetAnnotations()[helmReleaseNameAnnotation],
			"releaseNamespace", obj.GetAnnotations()[helmReleaseNamespaceAnnotation], "instance", obj.GetLabels()[instanceLabel])
		return nil
	}
	uid := obj.GetUID()
	return deleteObject(ctx, c, obj, append(opts, client.Preconditions{UID: &uid})...)
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
