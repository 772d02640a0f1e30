// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package contention

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/util/retry"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
	"github.com/spiderpool-go/spiderpool/internal/annotation"
)

// creators is how many pods the harness creates at once.
const creators = 8

// podGrace is the pods' deletion grace period before DEL, in seconds.
const podGrace = 300

// setUp creates the namespace, the pools (and their foreign records) and
// the pods, fills r.calls and waits opts.Settle for the agents' caches.
func (r *scenarioRun) setUp(ctx context.Context) error {
	c := r.env.Client
	if err := c.Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: r.ns}}); err != nil {
		return fmt.Errorf("create namespace %s: %w", r.ns, err)
	}
	for _, p := range r.layout.Pools {
		if err := r.createPool(ctx, p); err != nil {
			return err
		}
	}
	if r.layout.ForeignPool != "" {
		if err := r.writeForeign(ctx); err != nil {
			return err
		}
	}
	if err := r.createPods(ctx); err != nil {
		return err
	}
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(r.opts.Settle):
		return nil
	}
}

// createPool creates p, retrying for a while: the webhook refuses a pool
// that overlaps one of the last scenario's until its cache has seen that
// pool go.
func (r *scenarioRun) createPool(ctx context.Context, p *spiderpoolv2beta1.SpiderIPPool) error {
	var last error
	err := wait.PollUntilContextTimeout(ctx, 500*time.Millisecond, 30*time.Second, true, func(ctx context.Context) (bool, error) {
		last = r.env.Client.Create(ctx, p.DeepCopy())
		return last == nil, nil
	})
	if err != nil {
		return fmt.Errorf("create pool %s: %w", p.Name, errors.Join(last, err))
	}
	return nil
}

// terminatePods deletes the pods with a grace period of podGrace, which
// leaves them Terminating (no kubelet confirms the deletion), as kubelet
// sees a pod when it tears its sandbox down: the agent releases nothing
// on DEL for a pod that is alive (docs/reference/behaviour.md §3.4). The
// controller's GC takes over a terminating pod only once twice the grace
// period has passed, long after the DEL phase. Then opts.Settle for the
// agents' caches.
func (r *scenarioRun) terminatePods(ctx context.Context) error {
	err := r.env.Client.DeleteAllOf(ctx, &corev1.Pod{}, client.InNamespace(r.ns), client.GracePeriodSeconds(podGrace))
	if err != nil {
		return fmt.Errorf("delete the pods of %s with grace period %d s: %w", r.ns, podGrace, err)
	}
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(r.opts.Settle):
		return nil
	}
}

// writeForeign writes the foreign records into the big pool's status.
func (r *scenarioRun) writeForeign(ctx context.Context) error {
	err := retry.RetryOnConflict(retry.DefaultRetry, func() error {
		p := &spiderpoolv2beta1.SpiderIPPool{}
		if err := r.env.Client.Get(ctx, client.ObjectKey{Name: r.layout.ForeignPool}, p); err != nil {
			return err
		}
		p.Status.AllocatedIPs = spiderpoolv2beta1.FormatAllocatedIPs(r.layout.Foreign)
		p.Status.AllocatedIPCount = ptr.To(int64(len(r.layout.Foreign)))
		return r.env.Client.Status().Update(ctx, p)
	})
	if err != nil {
		return fmt.Errorf("write %d foreign records into pool %s: %w", len(r.layout.Foreign), r.layout.ForeignPool, err)
	}
	return nil
}

// createPods creates the layout's pods, bound to their nodes, and the
// calls that go with them.
func (r *scenarioRun) createPods(ctx context.Context) error {
	r.calls = make([]call, len(r.layout.Pods))
	errs := make([]error, len(r.layout.Pods))
	next := make(chan int, len(r.layout.Pods))
	for i := range r.layout.Pods {
		next <- i
	}
	close(next)
	var wg sync.WaitGroup
	for range creators {
		wg.Go(func() {
			for i := range next {
				errs[i] = r.createPod(ctx, i)
			}
		})
	}
	wg.Wait()
	return errors.Join(errs...)
}

func (r *scenarioRun) createPod(ctx context.Context, i int) error {
	spec := r.layout.Pods[i]
	pod := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: spec.Name, Namespace: r.ns,
			Annotations: map[string]string{annotation.KeyIPPool: annotationValue(spec.Pools)}},
		Spec: corev1.PodSpec{NodeName: r.env.Lab.Nodes[spec.Node].Name,
			Containers: []corev1.Container{{Name: "c", Image: "registry.k8s.io/pause:3.10"}}},
	}
	if err := r.env.Client.Create(ctx, pod); err != nil {
		return fmt.Errorf("create pod %s/%s: %w", r.ns, spec.Name, err)
	}
	uid := string(pod.UID)
	r.calls[i] = call{node: spec.Node, pod: podRef{Namespace: r.ns, Name: spec.Name, UID: uid,
		ContainerID: "ct" + strings.ReplaceAll(uid, "-", ""), NetNS: r.sandboxes[i]}}
	return nil
}

// records counts the pool records of the scenario's pods and the foreign
// records left in its pools.
func (r *scenarioRun) records(ctx context.Context) (own, foreign int, err error) {
	for _, p := range r.layout.Pools {
		got := &spiderpoolv2beta1.SpiderIPPool{}
		if err := r.env.Client.Get(ctx, client.ObjectKeyFromObject(p), got); err != nil {
			return own, foreign, fmt.Errorf("read pool %s: %w", p.Name, err)
		}
		recs, err := spiderpoolv2beta1.ParseAllocatedIPs(got.Status.AllocatedIPs)
		if err != nil {
			return own, foreign, fmt.Errorf("pool %s: %w", p.Name, err)
		}
		for ip, rec := range recs {
			switch {
			case rec.Namespace() == r.ns:
				own++
			case r.layout.Foreign[ip] == rec:
				foreign++
			}
		}
	}
	return own, foreign, nil
}

// cleanUp deletes the pods at once (no kubelet confirms a graceful
// deletion), empties the pools of whatever records are left (the foreign
// ones), deletes them and waits until they are gone, since the next
// scenario's pools hold the same addresses; then deletes the namespace
// without waiting. It fails only when pools are left.
func (r *scenarioRun) cleanUp(ctx context.Context) ([]string, error) {
	c := r.env.Client
	var notes []string
	if err := c.DeleteAllOf(ctx, &corev1.Pod{}, client.InNamespace(r.ns), client.GracePeriodSeconds(0)); err != nil {
		notes = append(notes, "delete pods: "+err.Error())
	}
	if err := deleteClaims(ctx, c); err != nil { // before the pools: the projector would write them back
		notes = append(notes, err.Error())
	}
	for _, p := range r.layout.Pools {
		if err := r.emptyAndDelete(ctx, p.Name); err != nil {
			notes = append(notes, err.Error())
		}
	}
	err := wait.PollUntilContextTimeout(ctx, 500*time.Millisecond, 2*time.Minute, true, func(ctx context.Context) (bool, error) {
		list := &spiderpoolv2beta1.SpiderIPPoolList{}
		if err := c.List(ctx, list); err != nil {
			return false, nil //nolint:nilerr // a failed list is retried until the timeout
		}
		for _, p := range list.Items {
			if strings.HasPrefix(p.Name, "ct-") {
				return false, nil
			}
		}
		return true, nil
	})
	if err := c.Delete(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: r.ns}}); err != nil && !apierrors.IsNotFound(err) {
		notes = append(notes, "delete namespace: "+err.Error())
	}
	if err != nil {
		return notes, fmt.Errorf("pools of scenario %s not gone after 2 minutes (the next scenario's would overlap them): %w", r.s.Name, err)
	}
	return notes, nil
}

// emptyAndDelete clears a pool's records and deletes it.
func (r *scenarioRun) emptyAndDelete(ctx context.Context, name string) error {
	err := retry.RetryOnConflict(retry.DefaultRetry, func() error {
		p := &spiderpoolv2beta1.SpiderIPPool{}
		if err := r.env.Client.Get(ctx, client.ObjectKey{Name: name}, p); err != nil {
			return err
		}
		if p.Status.AllocatedIPs == nil {
			return nil
		}
		p.Status.AllocatedIPs, p.Status.AllocatedIPCount = nil, ptr.To(int64(0))
		return r.env.Client.Status().Update(ctx, p)
	})
	if err != nil && !apierrors.IsNotFound(err) {
		return fmt.Errorf("empty pool %s: %w", name, err)
	}
	p := &spiderpoolv2beta1.SpiderIPPool{ObjectMeta: metav1.ObjectMeta{Name: name}}
	if err := r.env.Client.Delete(ctx, p); err != nil && !apierrors.IsNotFound(err) {
		return fmt.Errorf("delete pool %s: %w", name, err)
	}
	return nil
}
