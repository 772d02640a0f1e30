// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package ipam

import (
	"context"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// Kinds of top controllers (docs/reference/behaviour.md §1.3 step 2).
const (
	kindPod        = "Pod"
	kindReplicaSet = "ReplicaSet"
	kindDeployment = "Deployment"
	kindJob        = "Job"
	kindCronJob    = "CronJob"
)

// topController is the workload that ultimately owns a pod.
type topController struct {
	APIVersion, Kind, Namespace, Name string
	// UID is the controller's UID as its dependant's owner reference
	// records it (the pod's own for a pod without a controller).
	UID string
}

// topController resolves the pod's top controller: a ReplicaSet owned by a
// Deployment gives the Deployment, a Job owned by a CronJob the CronJob,
// a pod without a controller itself; other owners (DaemonSet, StatefulSet,
// third-party kinds) are taken as they are. Owners are read as metadata
// only, from the cache and else from the API server; an owner that is gone
// is taken as it is.
func (s *Service) topController(ctx context.Context, pod *corev1.Pod) (topController, error) {
	ref := metav1.GetControllerOf(pod)
	if ref == nil {
		return topController{APIVersion: "v1", Kind: kindPod, Namespace: pod.Namespace, Name: pod.Name, UID: string(pod.UID)}, nil
	}
	top := topController{APIVersion: ref.APIVersion, Kind: ref.Kind, Namespace: pod.Namespace, Name: ref.Name, UID: string(ref.UID)}
	var parentAPIVersion, parentKind string
	switch {
	case ref.APIVersion == "apps/v1" && ref.Kind == kindReplicaSet:
		parentAPIVersion, parentKind = "apps/v1", kindDeployment
	case ref.APIVersion == "batch/v1" && ref.Kind == kindJob:
		parentAPIVersion, parentKind = "batch/v1", kindCronJob
	default:
		return top, nil
	}
	owner, err := s.ownerMeta(ctx, top)
	if err != nil || owner == nil {
		return top, err
	}
	if p := metav1.GetControllerOf(owner); p != nil && p.APIVersion == parentAPIVersion && p.Kind == parentKind {
		return topController{APIVersion: p.APIVersion, Kind: p.Kind, Namespace: pod.Namespace, Name: p.Name, UID: string(p.UID)}, nil
	}
	return top, nil
}

// ownerMeta reads the metadata of c, or returns nil when it is gone.
func (s *Service) ownerMeta(ctx context.Context, c topController) (*metav1.PartialObjectMetadata, error) {
	gv, err := schema.ParseGroupVersion(c.APIVersion)
	if err != nil {
		return nil, fmt.Errorf("owner %s %s: %w", c.Kind, c.Name, err)
	}
	obj := &metav1.PartialObjectMetadata{}
	obj.SetGroupVersionKind(gv.WithKind(c.Kind))
	found, err := s.getCachedOrFresh(ctx, client.ObjectKey{Namespace: c.Namespace, Name: c.Name}, obj)
	if err != nil {
		return nil, fmt.Errorf("read owner %s %s/%s: %w", c.Kind, c.Namespace, c.Name, err)
	}
	if !found {
		return nil, nil
	}
	return obj, nil
}
