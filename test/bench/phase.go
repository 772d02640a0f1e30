// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package bench

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"

	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
	"github.com/spiderpool-go/spiderpool/test/lab"
)

// labTotal is the CPU group summing every lab process.
const labTotal = "lab total"

// errTimeout marks a phase that did not finish within PhaseTimeout.
var errTimeout = errors.New("phase timed out")

// snapshot is what the benchmark reads at a phase's start and end.
type snapshot struct {
	at          time.Time
	api         APICounts
	cpu         cpuSample
	busy        float64
	duplicates  int
	events      eventTally
	apiErr, err error
	eventsErr   error
}

func (r *scenarioRun) snapshot(ctx context.Context) snapshot {
	s := snapshot{at: time.Now(), cpu: sampleCPU(r.env.Lab.Dir), duplicates: r.pods.counts(nil).Duplicates}
	s.api, s.apiErr = scrapeAPI(ctx, r.env.Config)
	s.busy, s.err = machineBusy()
	s.events, s.eventsErr = r.sandboxEvents(ctx)
	return s
}

// phase runs one phase between two snapshots and builds its result.
func (r *scenarioRun) phase(ctx context.Context, name string, run func(context.Context, *PhaseResult) error) PhaseResult {
	res := PhaseResult{Name: name, Pods: r.s.Pods(), LoadAvgStart: loadAvg()}
	r.progress("scenario %s: phase %s", r.s.Name, name)
	before := r.snapshot(ctx)
	pctx, cancel := context.WithTimeout(ctx, r.opts.PhaseTimeout)
	err := run(pctx, &res)
	cancel()
	// The end snapshot outlives the run's budget: a phase it cut short
	// still gets its figures.
	sctx, scancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
	defer scancel()
	after := r.snapshot(sctx)
	res.WallSeconds = after.at.Sub(before.at).Seconds()
	res.LoadAvgEnd = loadAvg()
	if err != nil {
		res.Error = err.Error()
		res.TimedOut = errors.Is(err, errTimeout)
	}
	r.fill(&res, before, after)
	r.progress("scenario %s: phase %s: %.1fs, ADD p50/p99 %.0f/%.0f ms, DEL p50/p99 %.0f/%.0f ms, %.2f API writes and %.3f conflicts per allocation, %d sandbox failures%s",
		r.s.Name, name, res.WallSeconds, res.CNIAdd.P50, res.CNIAdd.P99, res.CNIDel.P50, res.CNIDel.P99,
		res.WritesPerAllocation, res.ConflictsPerAllocation, sandboxFailureTotal(res.SandboxFailures), errSuffix(res.Error))
	return res
}

// fill adds the figures between two snapshots to res.
func (r *scenarioRun) fill(res *PhaseResult, before, after snapshot) {
	if err := errors.Join(before.apiErr, after.apiErr); err != nil {
		res.Notes = append(res.Notes, "API metrics: "+err.Error())
	} else {
		res.API = after.api.Sub(before.api)
		allocs := float64(r.s.Pods())
		res.RequestsPerAllocation = res.API.Requests / allocs
		res.WritesPerAllocation = res.API.Writes / allocs
		res.ConflictsPerAllocation = res.API.Conflicts / allocs
	}
	res.CPUSeconds = after.cpu.sub(before.cpu)
	var lab float64
	for _, v := range res.CPUSeconds {
		lab += v
	}
	res.CPUSeconds[labTotal] = lab - res.CPUSeconds["spiderbench"]
	if before.err == nil && after.err == nil {
		res.CPUSeconds["machine (all processes)"] = after.busy - before.busy
	}
	if err := errors.Join(before.eventsErr, after.eventsErr); err != nil {
		res.Notes = append(res.Notes, "sandbox failures: "+err.Error())
	} else {
		res.SandboxFailures = after.events.since(before.events)
	}
	res.DuplicateIPs = after.duplicates - before.duplicates
	res.DuplicateExamples = r.pods.firstDuplicates(5)
	lines, err := readTimings(cniLogs(r.env.Lab))
	if err != nil {
		res.Notes = append(res.Notes, "CNI logs: "+err.Error())
	}
	res.CNIAdd = summarise(lines, "ADD", before.at, after.at)
	res.CNIDel = summarise(lines, "DEL", before.at, after.at)
}

// create makes the Deployments and waits for every pod to run.
func (r *scenarioRun) create(ctx context.Context, res *PhaseResult) error {
	for i := range r.s.Deployments {
		if err := createAll(ctx, r.env.Client, deployment(r.ns, deploymentName(i), r.s.Replicas, r.layout)); err != nil {
			return err
		}
	}
	if err := r.waitReady(ctx, "create", nil); err != nil {
		return err
	}
	res.RecordMismatches, res.Notes = r.checkRecords(ctx, res.Notes)
	return nil
}

// recreate deletes every pod at once and waits for the replacements.
func (r *scenarioRun) recreate(ctx context.Context, res *PhaseResult) error {
	old := r.pods.uids()
	if err := r.deletePods(ctx); err != nil {
		return err
	}
	if err := r.waitReady(ctx, "re-create", old); err != nil {
		return err
	}
	res.RecordMismatches, res.Notes = r.checkRecords(ctx, res.Notes)
	return nil
}

// deletePods deletes every pod of the namespace one by one with a few
// workers, as `kubectl delete pods --all` does; a single deletecollection
// call can outlive the API server's request timeout on a loaded machine.
func (r *scenarioRun) deletePods(ctx context.Context) error {
	var pods corev1.PodList
	if err := r.env.Client.List(ctx, &pods, client.InNamespace(r.ns), client.HasLabels{appLabel}); err != nil {
		return fmt.Errorf("list pods: %w", err)
	}
	work := make(chan *corev1.Pod)
	errs := make([]error, deleteWorkers)
	var wg sync.WaitGroup
	for w := range deleteWorkers {
		wg.Go(func() {
			for p := range work {
				if err := r.env.Client.Delete(ctx, p); err != nil && !apierrors.IsNotFound(err) && errs[w] == nil {
					errs[w] = fmt.Errorf("delete pod %s: %w", p.Name, err)
				}
			}
		})
	}
	for i := range pods.Items {
		work <- &pods.Items[i]
	}
	close(work)
	wg.Wait()
	return errors.Join(errs...)
}

// deleteWorkers is how many pod deletions run at once.
const deleteWorkers = 8

// delete removes the Deployments and waits until no pod, record or
// SpiderEndpoint is left.
func (r *scenarioRun) delete(ctx context.Context, res *PhaseResult) error {
	err := r.env.Client.DeleteAllOf(ctx, &appsv1.Deployment{}, client.InNamespace(r.ns),
		client.PropagationPolicy("Background"))
	if err != nil {
		return fmt.Errorf("delete deployments: %w", err)
	}
	var recordsGone, endpointsGone time.Duration
	start := time.Now()
	err = r.wait(ctx, "delete", func() (string, bool) {
		recs, eps, autoPools, err := r.leftovers(ctx)
		pods := r.pods.counts(nil).Pods
		res.Leaked = recs + eps + autoPools
		if err == nil && recs == 0 && recordsGone == 0 {
			recordsGone = time.Since(start)
		}
		if err == nil && eps == 0 && endpointsGone == 0 {
			endpointsGone = time.Since(start)
		}
		return fmt.Sprintf("%d pods, %d pool records, %d SpiderEndpoints and %d auto pools left (%v)",
				pods, recs, eps, autoPools, err),
			err == nil && res.Leaked == 0 && pods == 0
	})
	if err == nil {
		res.Notes = append(res.Notes, fmt.Sprintf("last pool record gone after %.1fs, last SpiderEndpoint after %.1fs",
			recordsGone.Seconds(), endpointsGone.Seconds()))
	}
	return err
}

// leftovers counts the records in the scenario's pools, its endpoints, and
// the auto pools its subnets still hold (all reclaimed with their
// Deployments).
func (r *scenarioRun) leftovers(ctx context.Context) (records, endpoints, autoPools int, err error) {
	recs, err := r.records(ctx)
	if err != nil {
		return 0, 0, 0, err
	}
	var eps spiderpoolv2beta1.SpiderEndpointList
	if err := r.env.Client.List(ctx, &eps, client.InNamespace(r.ns)); err != nil {
		return 0, 0, 0, fmt.Errorf("list endpoints: %w", err)
	}
	if len(r.layout.subnets) > 0 {
		pools, err := r.listPools(ctx)
		if err != nil {
			return 0, 0, 0, err
		}
		autoPools = len(pools)
	}
	return len(recs), len(eps.Items), autoPools, nil
}

func (r *scenarioRun) getPool(ctx context.Context, name string) (*spiderpoolv2beta1.SpiderIPPool, error) {
	var p spiderpoolv2beta1.SpiderIPPool
	if err := r.env.Client.Get(ctx, types.NamespacedName{Name: name}, &p); err != nil {
		return nil, fmt.Errorf("get pool %s: %w", name, err)
	}
	return &p, nil
}

// waitReady waits until the scenario's pod count, not in exclude, run.
func (r *scenarioRun) waitReady(ctx context.Context, phase string, exclude map[types.UID]bool) error {
	want := r.s.Pods()
	return r.wait(ctx, phase, func() (string, bool) {
		c := r.pods.counts(exclude)
		return fmt.Sprintf("%d/%d pods running with both addresses (%d pod objects)", c.Ready, want, c.Pods), c.Ready >= want
	})
}

// wait polls done every 250ms, printing its status every 5s.
func (r *scenarioRun) wait(ctx context.Context, phase string, done func() (string, bool)) error {
	tick, report := time.NewTicker(250*time.Millisecond), time.Now()
	defer tick.Stop()
	start := time.Now()
	for {
		status, ok := done()
		if ok {
			return nil
		}
		if time.Since(report) >= 5*time.Second {
			r.progress("scenario %s: %s %5.0fs: %s", r.s.Name, phase, time.Since(start).Seconds(), status)
			report = time.Now()
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%w: %s", errTimeout, status)
		case <-tick.C:
		}
	}
}

// cniLogs lists the plugin log file of every node.
func cniLogs(l *lab.Lab) []string {
	out := make([]string, 0, len(l.Nodes))
	for _, n := range l.Nodes {
		out = append(out, CNILogPath(n))
	}
	return out
}

func errSuffix(e string) string {
	if e == "" {
		return ""
	}
	return " (" + e + ")"
}
