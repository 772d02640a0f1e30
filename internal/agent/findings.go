// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package agent

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"time"

	"github.com/go-logr/logr"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/spiderpool-go/spiderpool/internal/agentapi"
	"github.com/spiderpool-go/spiderpool/internal/quarantine"
)

// Reasons of the Warning events about what the plugin found on the wire.
const (
	ReasonIPConflict         = "IPConflict"
	ReasonGatewayUnreachable = "GatewayUnreachable"
)

// quarantineStore keeps conflicting addresses; quarantine.Store.
type quarantineStore interface {
	Add(ctx context.Context, pool string, ip netip.Addr, rec quarantine.Record) error
}

// detectionCounter counts the findings; *metrics.Detection.
type detectionCounter interface {
	CountConflict(pool string)
	CountUnreachableGateway(pool string)
}

// findings acts on what the plugin found before a batch release: it
// quarantines a conflicting address in its pool, counts the finding per
// pool and tells the pod's events. Each step's failure is logged, never
// returned: the release goes on.
type findings struct {
	store   quarantineStore
	counter detectionCounter
	events  client.Client // creates core/v1 Events
	node    string
	now     func() time.Time
}

func (f *findings) note(ctx context.Context, req *agentapi.BatchDelRequest) {
	d := req.Detection
	if d == nil {
		return
	}
	log := logr.FromContextOrDiscard(ctx).WithValues("pod", req.PodNamespace+"/"+req.PodName, "ifName", d.IfName, "pool", d.IPPool)
	var errs []error
	reason, msg := ReasonGatewayUnreachable, fmt.Sprintf("gateway %s of SpiderIPPool %s does not answer on interface %s; the pod's addresses are released and the ADD is retried", d.UnreachableGateway, d.IPPool, d.IfName)
	if d.ConflictIP != "" {
		reason, msg = ReasonIPConflict, fmt.Sprintf("address %s of SpiderIPPool %s is in use by MAC %s; it is quarantined until `spiderpoolctl ip unquarantine %s`", d.ConflictIP, d.IPPool, d.ConflictMAC, d.ConflictIP)
		f.counter.CountConflict(d.IPPool)
		errs = append(errs, f.quarantine(ctx, req))
	} else {
		f.counter.CountUnreachableGateway(d.IPPool)
	}
	errs = append(errs, f.event(ctx, req, reason, msg))
	if err := errors.Join(errs...); err != nil {
		log.Error(err, "Could not record what the plugin found on the wire", "reason", reason)
		return
	}
	log.Info("The plugin found a problem on the wire", "reason", reason, "message", msg)
}

func (f *findings) quarantine(ctx context.Context, req *agentapi.BatchDelRequest) error {
	d := req.Detection
	ip, err := netip.ParseAddr(d.ConflictIP)
	if err != nil || d.IPPool == "" {
		return fmt.Errorf("no quarantine for %q: the plugin named no SpiderIPPool", d.ConflictIP)
	}
	now := f.now().UTC()
	return f.store.Add(ctx, d.IPPool, ip.Unmap(), quarantine.Record{Reason: quarantine.ReasonConflict, MAC: d.ConflictMAC,
		Pod: req.PodNamespace + "/" + req.PodName, Node: f.node, Since: now, LastAnswer: now})
}

// event creates a Warning event on the pod.
func (f *findings) event(ctx context.Context, req *agentapi.BatchDelRequest, reason, msg string) error {
	now := metav1.NewTime(f.now())
	ev := &corev1.Event{
		ObjectMeta: metav1.ObjectMeta{GenerateName: req.PodName + ".", Namespace: req.PodNamespace},
		InvolvedObject: corev1.ObjectReference{APIVersion: "v1", Kind: "Pod", Namespace: req.PodNamespace, Name: req.PodName,
			UID: types.UID(req.PodUID)},
		Reason: reason, Message: msg, Type: corev1.EventTypeWarning, Count: 1,
		Source:         corev1.EventSource{Component: "spiderpool-agent", Host: f.node},
		FirstTimestamp: now, LastTimestamp: now,
		ReportingController: "spiderpool.spidernet.io/spiderpool-agent", ReportingInstance: f.node,
	}
	if err := f.events.Create(ctx, ev); err != nil {
		return fmt.Errorf("create the %s event of pod %s/%s: %w", reason, req.PodNamespace, req.PodName, err)
	}
	return nil
}
