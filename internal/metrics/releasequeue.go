// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package metrics

import (
	"math"

	"github.com/prometheus/client_golang/prometheus"
)

// Names of the release queue's metrics. Spiderpool has no release queue
// (docs/compatibility.md #7), so these are ours, named like the agent's
// other IPAM metrics.
const (
	// ReleaseQueueEntries is the number of releases waiting in the node's
	// on-disk queue.
	ReleaseQueueEntries = "spiderpool_ipam_release_queue_entries"
	// ReleaseQueueCorrupt counts the entries set aside as corrupt.
	ReleaseQueueCorrupt = "spiderpool_ipam_release_queue_corrupt_counts_total"
	// ReleaseQueueGivenUp counts the entries removed after failing
	// permanently for too long.
	ReleaseQueueGivenUp = "spiderpool_ipam_release_queue_given_up_counts_total"
)

// ReleaseQueue is the metric set of spiderpool-agent's release queue. Its
// methods are safe for concurrent use.
type ReleaseQueue struct {
	corrupt, givenUp prometheus.Counter
}

// NewReleaseQueue registers the release queue's metrics on reg. length is
// called at every scrape; an error shows as NaN.
func NewReleaseQueue(reg prometheus.Registerer, length func() (int, error)) (*ReleaseQueue, error) {
	r := &registrar{reg: reg}
	registerWith(r, prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: ReleaseQueueEntries,
		Help: "Releases waiting in the node's on-disk release queue for spiderpool-agent to retry them."},
		func() float64 {
			n, err := length()
			if err != nil {
				return math.NaN()
			}
			return float64(n)
		}))
	m := &ReleaseQueue{
		corrupt: r.counter(ReleaseQueueCorrupt, "Release queue entries set aside because they could not be read or had no pod UID."),
		givenUp: r.counter(ReleaseQueueGivenUp, "Queued releases given up after failing permanently for too long; the controller's IP GC frees their addresses."),
	}
	if r.err != nil {
		return nil, r.err
	}
	return m, nil
}

// CountCorrupt counts one entry set aside as corrupt.
func (m *ReleaseQueue) CountCorrupt() { m.corrupt.Inc() }

// CountGivenUp counts one queued release given up.
func (m *ReleaseQueue) CountGivenUp() { m.givenUp.Inc() }
