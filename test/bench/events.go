// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package bench

import (
	"context"
	"fmt"
	"net/netip"
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/spiderpool-go/spiderpool/test/lab/nodesim"
)

// sandboxReasons are the Warning reasons of a pod sandbox that failed to
// be set up or torn down, as the node simulators (like kubelet) record them.
var sandboxReasons = []string{nodesim.ReasonFailedCreatePodSandBox, nodesim.ReasonFailedKillPod}

// eventTally is how often each sandbox failure event of a namespace has
// occurred so far, by event UID: the recorder folds repeats of one message
// on one pod into one event and counts them, so a phase's failures are the
// growth of the counts between two tallies.
type eventTally map[types.UID]eventCount

type eventCount struct {
	cause string
	n     int
}

// sandboxEvents tallies the namespace's sandbox failure events.
func (r *scenarioRun) sandboxEvents(ctx context.Context) (eventTally, error) {
	var list corev1.EventList
	if err := r.env.Client.List(ctx, &list, client.InNamespace(r.ns),
		client.MatchingFields{"type": corev1.EventTypeWarning}); err != nil {
		return nil, fmt.Errorf("list events: %w", err)
	}
	return tallyEvents(list.Items), nil
}

func tallyEvents(events []corev1.Event) eventTally {
	t := eventTally{}
	for i := range events {
		e := &events[i]
		if e.Type != corev1.EventTypeWarning || !slices.Contains(sandboxReasons, e.Reason) {
			continue
		}
		n := int(e.Count)
		if e.Series != nil && int(e.Series.Count) > n {
			n = int(e.Series.Count)
		}
		t[e.UID] = eventCount{cause: e.Reason + ": " + failureCause(e.Message), n: max(n, 1)}
	}
	return t
}

// since returns the failures counted after before, by cause; nil if none.
func (t eventTally) since(before eventTally) map[string]int {
	var out map[string]int
	for uid, c := range t {
		if d := c.n - before[uid].n; d > 0 {
			if out == nil {
				out = map[string]int{}
			}
			out[c.cause] += d
		}
	}
	return out
}

// maxCause bounds a cause's length in the results.
const maxCause = 160

// failureCause shortens an event message to its innermost two causes (the
// runtime wraps the plugin's error in its own context) with addresses and
// sandbox ids masked, so that failures of one kind on many pods count
// together.
func failureCause(msg string) string {
	msg = strings.TrimPrefix(msg, "(combined from similar events): ")
	parts := strings.Split(msg, ": ")
	if len(parts) > 2 {
		parts = parts[len(parts)-2:]
	}
	words := strings.Fields(strings.Join(parts, ": "))
	for i, w := range words {
		words[i] = maskWord(w)
	}
	cause := strings.Join(words, " ")
	if len(cause) > maxCause {
		cause = cause[:maxCause] + "..."
	}
	return cause
}

// maskWord replaces an IP address, a prefix or a 64-hex id, quoted or
// followed by punctuation, by a placeholder.
func maskWord(w string) string {
	core := strings.Trim(w, `"'(),;:[]`)
	if core == "" {
		return w
	}
	repl := ""
	if _, err := netip.ParseAddr(core); err == nil {
		repl = "<ip>"
	} else if _, err := netip.ParsePrefix(core); err == nil {
		repl = "<ip>"
	} else if len(core) == 64 && strings.Trim(core, "0123456789abcdef") == "" {
		repl = "<id>"
	}
	if repl == "" {
		return w
	}
	return strings.Replace(w, core, repl, 1)
}

// sandboxFailureTotal sums a phase's sandbox failures.
func sandboxFailureTotal(m map[string]int) int {
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}
