// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package nodesim

import (
	"encoding/json"
	"fmt"
	"net"
	"sort"
	"strconv"
	"strings"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// AnnotationPorts records, on a DaemonSet pod the simulator runs, the
// loopback port it gave each *_PORT environment variable:
// {"SPIDERPOOL_HEALTH_PORT": 41234, ...}. Every node's processes share the
// host's network namespace, so the chart's fixed ports would collide.
const AnnotationPorts = "lab.spiderpool.io/ports"

// portMap maps the names of *_PORT variables to the ports given instead.
type portMap map[string]int

// remapsPorts reports whether pod's ports are replaced: DaemonSet pods run
// once per node on one host, Deployment and Job pods keep the ports the
// chart gives them.
func remapsPorts(pod *corev1.Pod) bool {
	owner := metav1.GetControllerOf(pod)
	return owner != nil && owner.Kind == "DaemonSet"
}

// portVars lists the names of the *_PORT variables with literal values in
// the pod's containers, sorted.
func portVars(pod *corev1.Pod) []string {
	seen := map[string]bool{}
	for _, c := range pod.Spec.Containers {
		for _, e := range c.Env {
			if strings.HasSuffix(e.Name, "_PORT") && e.ValueFrom == nil {
				if _, err := strconv.Atoi(e.Value); err == nil {
					seen[e.Name] = true
				}
			}
		}
	}
	names := make([]string, 0, len(seen))
	for n := range seen {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// parsePorts decodes the AnnotationPorts value.
func parsePorts(s string) (portMap, error) {
	pm := portMap{}
	if err := json.Unmarshal([]byte(s), &pm); err != nil {
		return nil, fmt.Errorf("decode %s annotation: %w", AnnotationPorts, err)
	}
	for name, p := range pm {
		if p <= 0 || p > 65535 {
			return nil, fmt.Errorf("%s annotation: port %d of %s out of range", AnnotationPorts, p, name)
		}
	}
	return pm, nil
}

// allocatePorts gives every name a distinct free loopback port.
func allocatePorts(names []string) (portMap, error) {
	pm := portMap{}
	var held []net.Listener
	// The listeners are held until every port is picked, so the ports differ;
	// closing a probe listener cannot fail in a way that matters.
	defer func() {
		for _, l := range held {
			_ = l.Close()
		}
	}()
	for _, name := range names {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, fmt.Errorf("find a free port for %s: %w", name, err)
		}
		held = append(held, l)
		addr, ok := l.Addr().(*net.TCPAddr)
		if !ok {
			return nil, fmt.Errorf("find a free port for %s: %v is not a TCP address", name, l.Addr())
		}
		pm[name] = addr.Port
	}
	return pm, nil
}

// byValue maps the chart's original port numbers (the literal values of the
// variables of c) to the given ports, so a probe on the original port is
// sent to the given one.
func (pm portMap) byValue(c *corev1.Container) map[int]int {
	out := map[int]int{}
	for _, e := range c.Env {
		if p, ok := pm[e.Name]; ok && e.ValueFrom == nil {
			if orig, err := strconv.Atoi(e.Value); err == nil {
				out[orig] = p
			}
		}
	}
	return out
}
