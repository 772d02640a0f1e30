// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package metrics

import (
	"sync"

	"github.com/prometheus/client_golang/prometheus"
)

// Label names of the per-pool and per-subnet series, as Spiderpool's.
const (
	LabelIPPool = "SpiderIPPool"
	LabelSubnet = "SpiderSubnet"
)

// PoolsOptions say which of the controller's pool metrics exist.
type PoolsOptions struct {
	// Subnets adds spiderpool_total_subnet_counts and the per-subnet
	// series (enableSpiderSubnet).
	Subnets bool
	// Debug adds Spiderpool's debug-level names
	// (SPIDERPOOL_ENABLED_DEBUG_METRIC).
	Debug bool
}

// Pools is spiderpool-controller's view of the pools and subnets
// (docs/reference/interface.md §8.2): how many there are, and per pool or
// subnet the total and available addresses as gauges whose series go when
// the object goes. Spiderpool exposes the per-object figures only as debug
// counters that grow on every reconcile (docs/reference/interface.md §10.5);
// with PoolsOptions.Debug its names are exposed too, as gauges holding the
// same figures. Safe for concurrent use.
type Pools struct {
	ippools, subnets *objectGauges
	// ippoolCount and subnetCount are spiderpool_total_{ippool,subnet}_counts;
	// subnetCount is nil without subnets.
	ippoolCount, subnetCount prometheus.Gauge
	// subnetPools is spiderpool_debug_subnet_ippool_counts; nil without
	// Debug.
	subnetPools *prometheus.GaugeVec
}

// objectGauges are the series of one kind, keyed by object name.
type objectGauges struct {
	total, available           *prometheus.GaugeVec
	debugTotal, debugAvailable *prometheus.GaugeVec // nil without Debug
	mu                         sync.Mutex
	names                      map[string]bool
}

// NewPools registers the controller's pool metrics on reg.
func NewPools(reg prometheus.Registerer, opts PoolsOptions) (*Pools, error) {
	r := &registrar{reg: reg}
	p := &Pools{
		ippoolCount: r.gauge("spiderpool_total_ippool_counts", "SpiderIPPools in the cluster."),
		ippools:     newObjectGauges(r, "ippool", "SpiderIPPool", LabelIPPool, opts.Debug),
		subnets:     &objectGauges{names: map[string]bool{}},
	}
	if opts.Subnets {
		p.subnetCount = r.gauge("spiderpool_total_subnet_counts", "SpiderSubnets in the cluster.")
		p.subnets = newObjectGauges(r, "subnet", "SpiderSubnet", LabelSubnet, opts.Debug)
		if opts.Debug {
			p.subnetPools = r.gaugeVec("spiderpool_debug_subnet_ippool_counts", "SpiderIPPools controlled by the SpiderSubnet.", LabelSubnet)
		}
	}
	if r.err != nil {
		return nil, r.err
	}
	return p, nil
}

func newObjectGauges(r *registrar, short, kind, label string, debug bool) *objectGauges {
	g := &objectGauges{
		names:     map[string]bool{},
		total:     r.gaugeVec("spiderpool_"+short+"_total_ip_counts", "IP addresses of the "+kind+" (totalIPCount).", label),
		available: r.gaugeVec("spiderpool_"+short+"_available_ip_counts", "IP addresses of the "+kind+" not allocated.", label),
	}
	if debug {
		g.debugTotal = r.gaugeVec("spiderpool_debug_"+short+"_total_ip_counts_total",
			"IP addresses of the "+kind+" (a gauge under Spiderpool's debug counter name).", label)
		g.debugAvailable = r.gaugeVec("spiderpool_debug_"+short+"_available_ip_counts_total",
			"IP addresses of the "+kind+" not allocated (a gauge under Spiderpool's debug counter name).", label)
	}
	return g
}

// SetPool records pool name with total addresses, allocated of them.
func (p *Pools) SetPool(name string, total, allocated int64) {
	p.ippools.set(name, total, allocated)
	p.ippoolCount.Set(float64(p.ippools.count()))
}

// DeletePool forgets pool name and its series.
func (p *Pools) DeletePool(name string) {
	p.ippools.remove(name)
	p.ippoolCount.Set(float64(p.ippools.count()))
}

// SetSubnet records subnet name with total addresses, allocated of them,
// and the number of pools it controls. Without subnets it does nothing.
func (p *Pools) SetSubnet(name string, total, allocated int64, pools int) {
	if p.subnetCount == nil {
		return
	}
	p.subnets.set(name, total, allocated)
	if p.subnetPools != nil {
		p.subnetPools.WithLabelValues(name).Set(float64(pools))
	}
	p.subnetCount.Set(float64(p.subnets.count()))
}

// DeleteSubnet forgets subnet name and its series.
func (p *Pools) DeleteSubnet(name string) {
	if p.subnetCount == nil {
		return
	}
	p.subnets.remove(name)
	if p.subnetPools != nil {
		p.subnetPools.DeleteLabelValues(name)
	}
	p.subnetCount.Set(float64(p.subnets.count()))
}

// Pools returns the names of the pools recorded.
func (p *Pools) Pools() []string { return p.ippools.list() }

// Subnets returns the names of the subnets recorded.
func (p *Pools) Subnets() []string { return p.subnets.list() }

func (g *objectGauges) set(name string, total, allocated int64) {
	available := float64(max(total-allocated, 0)) // records outside spec.ips do not make it negative
	g.mu.Lock()
	defer g.mu.Unlock()
	g.names[name] = true
	g.total.WithLabelValues(name).Set(float64(total))
	g.available.WithLabelValues(name).Set(available)
	if g.debugTotal != nil {
		g.debugTotal.WithLabelValues(name).Set(float64(total))
		g.debugAvailable.WithLabelValues(name).Set(available)
	}
}

func (g *objectGauges) remove(name string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	delete(g.names, name)
	g.total.DeleteLabelValues(name)
	g.available.DeleteLabelValues(name)
	if g.debugTotal != nil {
		g.debugTotal.DeleteLabelValues(name)
		g.debugAvailable.DeleteLabelValues(name)
	}
}

func (g *objectGauges) count() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return len(g.names)
}

func (g *objectGauges) list() []string {
	g.mu.Lock()
	defer g.mu.Unlock()
	names := make([]string, 0, len(g.names))
	for n := range g.names {
		names = append(names, n)
	}
	return names
}
