// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package nodesim

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/event"
	"sigs.k8s.io/controller-runtime/pkg/manager"
)

// podRunner runs the project's own hostNetwork pods as host processes: the
// containers whose command names a binary of Config.HostBinDir. It is the
// lab's kubelet and container runtime for the chart's agent DaemonSet,
// controller Deployment and hook Jobs.
type podRunner struct {
	cfg    Config
	client client.Client
	source volumeSource
	rest   *rest.Config
	spawn  *spawner
	// events wakes the pod reconciler when a container starts, exits or
	// changes readiness.
	events chan event.GenericEvent

	mu   sync.Mutex
	pods map[types.UID]*runningPod
}

type runningPod struct {
	key        types.NamespacedName
	dir        string
	started    time.Time
	containers map[string]*container
}

var _ manager.LeaderElectionRunnable = (*podRunner)(nil)

func newPodRunner(cfg Config, c client.Client, reader client.Reader, rc *rest.Config) *podRunner {
	return &podRunner{
		cfg: cfg, client: c, source: volumeSource{reader: reader}, rest: rc, spawn: newSpawner(),
		events: make(chan event.GenericEvent, 64), pods: map[types.UID]*runningPod{},
	}
}

// NeedLeaderElection reports false: every node runs its own pods.
func (r *podRunner) NeedLeaderElection() bool { return false }

// Start waits for ctx and then stops every process, so that a simulator
// that is stopped leaves none behind.
func (r *podRunner) Start(ctx context.Context) error {
	<-ctx.Done()
	r.mu.Lock()
	pods := make([]*runningPod, 0, len(r.pods))
	for uid, rp := range r.pods {
		pods = append(pods, rp)
		delete(r.pods, uid)
	}
	r.mu.Unlock()
	stopCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 20*time.Second)
	defer cancel()
	var wg sync.WaitGroup
	for _, rp := range pods {
		wg.Add(1)
		go func() { defer wg.Done(); rp.terminate(stopCtx, 5*time.Second) }()
	}
	wg.Wait()
	return nil
}

// containerBinary is the HostBinDir binary a container runs, if any.
func (r *podRunner) containerBinary(c *corev1.Container) (string, bool) {
	return r.commandBinary(c.Command)
}

// commandBinary is the HostBinDir binary a command (of a container or a
// hook) names, if any.
func (r *podRunner) commandBinary(command []string) (string, bool) {
	if r.cfg.HostBinDir == "" || len(command) == 0 {
		return "", false
	}
	path := filepath.Join(r.cfg.HostBinDir, filepath.Base(command[0]))
	if st, err := os.Stat(path); err != nil || st.IsDir() {
		return "", false
	}
	return path, true
}

// handles reports whether pod is one the runner runs: hostNetwork with at
// least one container of a known binary.
func (r *podRunner) handles(pod *corev1.Pod) bool {
	if r == nil || !pod.Spec.HostNetwork {
		return false
	}
	for i := range pod.Spec.Containers {
		if _, ok := r.containerBinary(&pod.Spec.Containers[i]); ok {
			return true
		}
	}
	return false
}

// ensure starts the pod's processes if they are not running yet and
// returns the state of each run container and when the pod started.
func (r *podRunner) ensure(ctx context.Context, pod *corev1.Pod) (map[string]containerState, time.Time, error) {
	if rp := r.lookup(pod.UID); rp != nil {
		return rp.states(), rp.started, nil
	}
	rp, err := r.prepare(ctx, pod)
	if err != nil {
		return nil, time.Time{}, err
	}
	r.mu.Lock()
	r.pods[pod.UID] = rp
	r.mu.Unlock()
	for _, c := range rp.containers {
		go c.run()
	}
	return rp.states(), rp.started, nil
}

func (r *podRunner) lookup(uid types.UID) *runningPod {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.pods[uid]
}

// stop terminates the processes of the pods named key whose UID is not
// keep, giving each grace to exit, and removes their pod dirs.
func (r *podRunner) stop(ctx context.Context, key types.NamespacedName, keep types.UID, grace time.Duration) error {
	if r == nil {
		return nil
	}
	r.mu.Lock()
	var victims []*runningPod
	for uid, rp := range r.pods {
		if rp.key == key && uid != keep {
			victims = append(victims, rp)
			delete(r.pods, uid)
		}
	}
	r.mu.Unlock()
	for _, rp := range victims {
		rp.terminate(ctx, grace)
		if err := os.RemoveAll(rp.dir); err != nil {
			return fmt.Errorf("remove pod dir: %w", err)
		}
	}
	return nil
}

func (rp *runningPod) states() map[string]containerState {
	out := make(map[string]containerState, len(rp.containers))
	for name, c := range rp.containers {
		out[name] = c.snapshot()
	}
	return out
}

func (rp *runningPod) terminate(ctx context.Context, grace time.Duration) {
	var wg sync.WaitGroup
	for _, c := range rp.containers {
		wg.Add(1)
		go func() { defer wg.Done(); c.terminate(ctx, grace) }()
	}
	wg.Wait()
}

// wake asks the reconciler to look at the pod again.
func (r *podRunner) wake(key types.NamespacedName) func() {
	return func() {
		ev := event.GenericEvent{Object: &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Namespace: key.Namespace, Name: key.Name}}}
		go func() { r.events <- ev }()
	}
}

// graceOf is how long a deleted pod's processes get between SIGTERM and SIGKILL.
func graceOf(pod *corev1.Pod) time.Duration {
	switch {
	case pod.DeletionGracePeriodSeconds != nil:
		return time.Duration(*pod.DeletionGracePeriodSeconds) * time.Second
	case pod.Spec.TerminationGracePeriodSeconds != nil:
		return time.Duration(*pod.Spec.TerminationGracePeriodSeconds) * time.Second
	}
	return 30 * time.Second
}
