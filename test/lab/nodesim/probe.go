// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package nodesim

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// probeURL is the URL of an httpGet readiness probe of c, its port taken
// from ports (original → given) when remapped; "" when c has no httpGet
// readiness probe.
func probeURL(c *corev1.Container, ports map[int]int) (string, time.Duration) {
	p := c.ReadinessProbe
	if p == nil || p.HTTPGet == nil {
		return "", 0
	}
	g := p.HTTPGet
	port := portNumber(c, g.Port)
	if mapped, ok := ports[port]; ok {
		port = mapped
	}
	host := g.Host
	if host == "" {
		host = "127.0.0.1"
	}
	scheme := "http"
	if g.Scheme == corev1.URISchemeHTTPS {
		scheme = "https"
	}
	period := time.Duration(p.PeriodSeconds) * time.Second
	if period <= 0 || period > 2*time.Second {
		period = 2 * time.Second // the lab wants readiness seen quickly
	}
	return fmt.Sprintf("%s://%s%s", scheme, net.JoinHostPort(host, strconv.Itoa(port)), g.Path), period
}

// portNumber resolves a probe port, by number or by container port name.
func portNumber(c *corev1.Container, port intstr.IntOrString) int {
	if port.Type == intstr.Int {
		return port.IntValue()
	}
	for _, p := range c.Ports {
		if p.Name == port.StrVal {
			return int(p.ContainerPort)
		}
	}
	return 0
}

// probeLoop polls the readiness URL while the container lives and reports
// every change of readiness.
func (c *container) probeLoop() {
	client := &http.Client{Timeout: time.Second}
	ticker := time.NewTicker(c.spec.probePeriod)
	defer ticker.Stop()
	for {
		select {
		case <-c.done:
			return
		case <-ticker.C:
		}
		ok := probeOnce(client, c.spec.probe)
		c.mu.Lock()
		changed := c.state.running && c.state.ready != ok
		if c.state.running {
			c.state.ready = ok
		}
		c.mu.Unlock()
		if changed {
			c.notify()
		}
	}
}

// probeOnce reports whether url answers with a 2xx or 3xx status, as
// kubelet's HTTP probe counts success.
func probeOnce(client *http.Client, url string) bool {
	req, err := http.NewRequestWithContext(context.Background(), http.MethodGet, url, nil)
	if err != nil {
		return false
	}
	resp, err := client.Do(req)
	if err != nil {
		return false
	}
	_ = resp.Body.Close() // only the status matters
	return resp.StatusCode >= 200 && resp.StatusCode < 400
}
