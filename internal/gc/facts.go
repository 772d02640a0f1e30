// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package gc

import (
	"context"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"sigs.k8s.io/controller-runtime/pkg/client"

	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
	"github.com/spiderpool-go/spiderpool/internal/workload"
)

// incarnation is one pod incarnation, the unit the GC releases: the
// records of pod Namespace/Name with pod UID, and the endpoint while it is
// recorded for that UID. A UID is never reused, so once the pod of a UID is
// gone it cannot come back.
type incarnation struct {
	Namespace, Name, UID string
}

// key is the holder as pool records name it.
func (i incarnation) key() string { return i.Namespace + "/" + i.Name }

// String names the incarnation in errors and logs.
func (i incarnation) String() string { return i.key() + " (uid " + i.UID + ")" }

// facts is what the GC knows of an incarnation, read from one reader.
type facts struct {
	// pod is the pod named like the incarnation, of any UID; nil if none.
	pod *corev1.Pod
	// ep is the endpoint named like the incarnation, of any UID; nil if
	// none.
	ep *spiderpoolv2beta1.SpiderEndpoint
	// static is the rule that may keep the addresses for a successor.
	static workload.Static
	// staticValid says the rule keeps them: computed only where it
	// matters (the incarnation is dead).
	staticValid bool
	// nodeReady is the readiness of a terminating pod's node.
	nodeReady bool
}

// owned reports whether the endpoint is recorded for the incarnation's UID.
func (f *facts) owned(uid string) bool {
	return f.ep != nil && f.ep.Status.Current.UID == uid
}

// samePod reports whether the pod is the incarnation's.
func (f *facts) samePod(uid string) bool {
	return f.pod != nil && string(f.pod.UID) == uid
}

// observe reads the pod, the endpoint and what the decision needs of the
// incarnation from r. Owners (StatefulSet, VMI, VM) are always read from
// the API server (api): they are read rarely, only for dead incarnations,
// and are not cached by the manager.
func (c *collector) observe(ctx context.Context, r client.Reader, inc incarnation) (*facts, error) {
	f := &facts{}
	var err error
	if f.pod, err = getPod(ctx, r, inc.Namespace, inc.Name); err != nil {
		return nil, err
	}
	if f.ep, err = getEndpoint(ctx, r, inc.Namespace, inc.Name); err != nil {
		return nil, err
	}
	statefulSet := c.classify(f, inc)
	alive := f.samePod(inc.UID) && workload.PodAlive(f.pod)
	if f.static != workload.NotStatic && !alive {
		if f.staticValid, err = c.validStatic(ctx, inc, f.static, statefulSet); err != nil {
			return nil, err
		}
	}
	if f.samePod(inc.UID) && f.pod.DeletionTimestamp != nil && f.pod.Spec.NodeName != "" {
		node := &corev1.Node{}
		err := r.Get(ctx, client.ObjectKey{Name: f.pod.Spec.NodeName}, node)
		if err != nil && !apierrors.IsNotFound(err) {
			return nil, fmt.Errorf("read node %s: %w", f.pod.Spec.NodeName, err)
		}
		f.nodeReady = err == nil && workload.NodeReady(node)
	}
	return f, nil
}

// classify sets f.static from the incarnation's own pod, else its own
// endpoint; a holder with neither may be a KubeVirt VMI (records are named
// after the VMI). It returns the StatefulSet's name.
func (c *collector) classify(f *facts, inc incarnation) string {
	var statefulSet string
	switch {
	case f.samePod(inc.UID):
		f.static, statefulSet = c.opts.rules().OfPod(f.pod)
	case f.owned(inc.UID):
		f.static, statefulSet = c.opts.rules().OfEndpoint(f.ep)
	case f.pod == nil && f.ep == nil && c.opts.EnableKubevirtStaticIP:
		f.static = workload.StaticKubevirt
	}
	return statefulSet
}

func (c *collector) validStatic(ctx context.Context, inc incarnation, s workload.Static, owner string) (bool, error) {
	return workload.Wanted(ctx, c.api, s, inc.Namespace, inc.Name, owner)
}

func getPod(ctx context.Context, r client.Reader, ns, name string) (*corev1.Pod, error) {
	pod := &corev1.Pod{}
	err := r.Get(ctx, client.ObjectKey{Namespace: ns, Name: name}, pod)
	switch {
	case apierrors.IsNotFound(err):
		return nil, nil
	case err != nil:
		return nil, fmt.Errorf("read pod %s/%s: %w", ns, name, err)
	}
	return pod, nil
}

func getEndpoint(ctx context.Context, r client.Reader, ns, name string) (*spiderpoolv2beta1.SpiderEndpoint, error) {
	ep := &spiderpoolv2beta1.SpiderEndpoint{}
	err := r.Get(ctx, client.ObjectKey{Namespace: ns, Name: name}, ep)
	switch {
	case apierrors.IsNotFound(err):
		return nil, nil
	case err != nil:
		return nil, fmt.Errorf("read SpiderEndpoint %s/%s: %w", ns, name, err)
	}
	return ep, nil
}
