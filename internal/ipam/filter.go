// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package ipam

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"

	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
)

// candidates returns the usable pools among names for interface nic and
// version v, filtered and ordered (docs/reference/behaviour.md §1.5). A name
// that is no pool fails with ErrPoolNotFound; when every pool is filtered
// out the ErrNoPool error says why for each.
func (pc *podContext) candidates(nic string, v int64, names []string, pools *poolSet) ([]*spiderpoolv2beta1.SpiderIPPool, error) {
	var out []*spiderpoolv2beta1.SpiderIPPool
	var reasons []string
	for _, name := range names {
		p := pools.byName[name]
		if p == nil {
			return nil, fmt.Errorf("%w: %s (selected for IPv%d of interface %s)", ErrPoolNotFound, name, v, nic)
		}
		reason, err := pc.filter(nic, v, p)
		if err != nil {
			return nil, err
		}
		if reason != "" {
			reasons = append(reasons, name+": "+reason)
			continue
		}
		out = append(out, p)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%w: all IPv%d pools of interface %s were filtered out: %s",
			ErrNoPool, v, nic, strings.Join(reasons, "; "))
	}
	sortByPriority(out)
	return out, nil
}

// filter returns why p cannot serve nic and version v, or "". The checks
// run in Spiderpool's order.
func (pc *podContext) filter(nic string, v int64, p *spiderpoolv2beta1.SpiderIPPool) (string, error) {
	switch {
	case p.DeletionTimestamp != nil:
		return "terminating", nil
	case p.Spec.Disable != nil && *p.Spec.Disable:
		return "disabled", nil
	case poolVersion(p) != v:
		return fmt.Sprintf("spec.ipVersion is %d, not %d", poolVersion(p), v), nil
	}
	if reason, err := pc.filterNode(p); reason != "" || err != nil {
		return reason, err
	}
	if reason := pc.filterNamespace(p); reason != "" {
		return reason, nil
	}
	reason, decided := pc.filterPod(p)
	if reason != "" || decided {
		return reason, nil
	}
	return pc.filterMultus(nic, p)
}

func (pc *podContext) filterNode(p *spiderpoolv2beta1.SpiderIPPool) (string, error) {
	node := pc.nodeName()
	if len(p.Spec.NodeName) > 0 {
		if !slices.Contains(p.Spec.NodeName, node) {
			return fmt.Sprintf("node %s is not in spec.nodeName", node), nil
		}
		return "", nil
	}
	if p.Spec.NodeAffinity == nil {
		return "", nil
	}
	nodeLabels, err := pc.nodeLabels()
	if err != nil {
		return "", err
	}
	return selectorReason(p.Spec.NodeAffinity, nodeLabels, "node "+node, "spec.nodeAffinity"), nil
}

func (pc *podContext) filterNamespace(p *spiderpoolv2beta1.SpiderIPPool) string {
	ns := pc.pod.Namespace
	if len(p.Spec.NamespaceName) > 0 {
		if !slices.Contains(p.Spec.NamespaceName, ns) {
			return fmt.Sprintf("namespace %s is not in spec.namespaceName", ns)
		}
		return ""
	}
	if p.Spec.NamespaceAffinity == nil {
		return ""
	}
	return selectorReason(p.Spec.NamespaceAffinity, pc.ns.Labels, "namespace "+ns, "spec.namespaceAffinity")
}

// filterPod checks podAffinity. For an auto-created pool the affinity names
// the application; when it is the pod's, the pool is accepted at once
// (decided), without the multusName check, as in Spiderpool.
func (pc *podContext) filterPod(p *spiderpoolv2beta1.SpiderIPPool) (reason string, decided bool) {
	aff := p.Spec.PodAffinity
	if aff == nil {
		return "", false
	}
	if _, auto := p.Labels[spiderpoolv2beta1.LabelOwnerApplicationName]; auto {
		app := pc.appLabels()
		for _, k := range slices.Sorted(maps.Keys(app)) {
			if want := app[k]; aff.MatchLabels[k] != want {
				return fmt.Sprintf("auto-created for another application (%s %s is not %q)", k, aff.MatchLabels[k], want), true
			}
		}
		return "", true
	}
	return selectorReason(aff, pc.pod.Labels, "pod "+pc.pod.Name, "spec.podAffinity"), false
}

func (pc *podContext) filterMultus(nic string, p *spiderpoolv2beta1.SpiderIPPool) (string, error) {
	if len(p.Spec.MultusName) == 0 {
		return "", nil
	}
	network, err := pc.networkOf(nic)
	if err != nil {
		return "", err
	}
	if network == "" {
		return fmt.Sprintf("interface %s has no Multus network to match spec.multusName "+
			"(no %s annotation and no MULTUS_CLUSTER_NETWORK for eth0, or no %s entry)", nic,
			spiderpoolv2beta1.AnnoMultusDefaultNetwork, spiderpoolv2beta1.AnnoMultusNetworks), nil
	}
	for _, m := range p.Spec.MultusName {
		if qualifyRef(m, pc.svc.cfg.AgentNamespace) == network {
			return "", nil
		}
	}
	return fmt.Sprintf("network %s of interface %s is not in spec.multusName", network, nic), nil
}

// selectorReason matches sel against set; what names the object and field
// the selector field, for the message.
func selectorReason(sel *metav1.LabelSelector, set map[string]string, what, field string) string {
	s, err := metav1.LabelSelectorAsSelector(sel)
	if err != nil {
		return fmt.Sprintf("invalid %s: %v", field, err)
	}
	if !s.Matches(labels.Set(set)) {
		return fmt.Sprintf("%s does not match %s", what, field)
	}
	return ""
}

// sortByPriority orders pools by Spiderpool's priority keys
// (docs/reference/behaviour.md §1.5): podAffinity, nodeName, nodeAffinity,
// namespaceName, namespaceAffinity, multusName, each "set" before "unset",
// compared lexicographically. The sort is stable, so the user's order breaks
// ties (docs/compatibility.md #1).
func sortByPriority(pools []*spiderpoolv2beta1.SpiderIPPool) {
	slices.SortStableFunc(pools, func(a, b *spiderpoolv2beta1.SpiderIPPool) int {
		ka, kb := priorityKeys(a), priorityKeys(b)
		for i := range ka {
			if ka[i] != kb[i] {
				if ka[i] {
					return -1
				}
				return 1
			}
		}
		return 0
	})
}

func priorityKeys(p *spiderpoolv2beta1.SpiderIPPool) [6]bool {
	s := &p.Spec
	return [6]bool{
		s.PodAffinity != nil, len(s.NodeName) > 0, s.NodeAffinity != nil,
		len(s.NamespaceName) > 0, s.NamespaceAffinity != nil, len(s.MultusName) > 0,
	}
}
