// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package chaos

import (
	"context"
	"math/rand"
	"strconv"
	"sync"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// Churn drives the workloads: every 0.5-2.5 s it scales a Deployment
// between half and 110% of its base size, deletes a running pod, or
// cycles the StatefulSet (scaled down, then back up a few seconds later).
type Churn struct {
	c     client.Client
	ns    string
	base  Shape
	rng   *rand.Rand
	mu    sync.Mutex
	stats map[string]int
}

// NewChurn returns a churn driver of the workloads of shape base in ns.
func NewChurn(c client.Client, ns string, base Shape, seed int64) *Churn {
	return &Churn{c: c, ns: ns, base: base, rng: rand.New(rand.NewSource(seed)), stats: map[string]int{}} //nolint:gosec // a seeded, replayable schedule
}

// Run churns until ctx ends, then scales every workload back to its base.
func (ch *Churn) Run(ctx context.Context) {
	for {
		wait := time.Duration(500+ch.rng.Intn(2000)) * time.Millisecond
		select {
		case <-ctx.Done():
			ch.restore(context.WithoutCancel(ctx))
			return
		case <-time.After(wait):
		}
		switch k := ch.rng.Intn(10); {
		case k < 5:
			i := ch.rng.Intn(Deployments)
			n := int32(float64(ch.base.Deployment) * (0.5 + 0.6*ch.rng.Float64()))
			ch.count("scale-deployment", ch.scale(ctx, &appsv1.Deployment{}, DeploymentName(i), n))
		case k < 8:
			ch.count("delete-pod", ch.deletePod(ctx))
		default:
			n := int32(ch.rng.Intn(int(ch.base.StatefulSet) + 1))
			ch.count("statefulset-cycle", ch.scale(ctx, &appsv1.StatefulSet{}, StatefulSetName, n))
			back := time.Duration(1+ch.rng.Intn(5)) * time.Second
			time.AfterFunc(back, func() {
				_ = ch.scale(context.WithoutCancel(ctx), &appsv1.StatefulSet{}, StatefulSetName, ch.base.StatefulSet)
			})
		}
	}
}

// Stats returns the actions done by kind ("…-error" for failed ones).
func (ch *Churn) Stats() map[string]int {
	ch.mu.Lock()
	defer ch.mu.Unlock()
	out := map[string]int{}
	for k, v := range ch.stats {
		out[k] = v
	}
	return out
}

func (ch *Churn) count(kind string, err error) {
	ch.mu.Lock()
	defer ch.mu.Unlock()
	if err != nil {
		kind += "-error"
	}
	ch.stats[kind]++
}

func (ch *Churn) scale(ctx context.Context, obj client.Object, name string, n int32) error {
	patch := client.RawPatch("application/merge-patch+json", []byte(`{"spec":{"replicas":`+strconv.Itoa(int(n))+`}}`))
	obj.SetNamespace(ch.ns)
	obj.SetName(name)
	return ch.c.Patch(ctx, obj, patch)
}

func (ch *Churn) deletePod(ctx context.Context) error {
	pods := &corev1.PodList{}
	if err := ch.c.List(ctx, pods, client.InNamespace(ch.ns)); err != nil {
		return err
	}
	var running []corev1.Pod
	for _, p := range pods.Items {
		if p.DeletionTimestamp == nil && p.Status.Phase == corev1.PodRunning {
			running = append(running, p)
		}
	}
	if len(running) == 0 {
		return nil
	}
	p := running[ch.rng.Intn(len(running))]
	return client.IgnoreNotFound(ch.c.Delete(ctx, &p, client.Preconditions{UID: &p.UID}))
}

// restore scales every workload back to its base size, retrying while
// the API server is down.
func (ch *Churn) restore(ctx context.Context) {
	deadline := time.Now().Add(2 * time.Minute)
	for time.Now().Before(deadline) {
		err := ch.scale(ctx, &appsv1.StatefulSet{}, StatefulSetName, ch.base.StatefulSet)
		for i := range Deployments {
			if err == nil {
				err = ch.scale(ctx, &appsv1.Deployment{}, DeploymentName(i), ch.base.Deployment)
			}
		}
		if err == nil {
			return
		}
		time.Sleep(time.Second)
	}
}
