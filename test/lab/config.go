// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package lab

import (
	"fmt"
	"os"
	"strings"

	"sigs.k8s.io/yaml"

	"github.com/spiderpool-go/spiderpool/internal/config"
)

// PodInjectNamespace is the only namespace whose pods the lab sends to the
// Pod webhook when Options.PodResourceInject is on. The webhook fails
// closed, as Spiderpool's does: confined to this namespace, a controller
// that a test stops never blocks the other tests' pods.
const PodInjectNamespace = "pod-inject"

// ProcessConfig is the spiderpool-conf ConfigMap the lab's agent and
// controller processes run with: the Helm chart's defaults (both stacks,
// StatefulSet fixed IPs, SpiderSubnet with auto pools and one redundant
// address), with socket as ipamUnixSocketPath ("" for the controller).
// The Pod webhook stays off, as in the chart: tests that need it turn it on
// with Options.PodResourceInject, for PodInjectNamespace only.
func ProcessConfig(socket string, podResourceInject bool) config.ConfigMap {
	cm := config.ConfigMap{
		IPAMUnixSocketPath:                   socket,
		EnableIPv4:                           true,
		EnableIPv6:                           true,
		EnableStatefulSet:                    true,
		EnableSpiderSubnet:                   true,
		EnableAutoPoolForApplication:         true,
		ClusterSubnetDefaultFlexibleIPNumber: 1,
	}
	if podResourceInject {
		cm.PodResourceInject = config.PodResourceInject{Enabled: true, NamespacesExclude: []string{"kube-system"},
			NamespacesInclude: []string{PodInjectNamespace}}
	}
	return cm
}

// agentConfig is ProcessConfig for a node agent, with the switches of the
// lab's options.
func (l *Lab) agentConfig(socket string) config.ConfigMap {
	cm := ProcessConfig(socket, l.PodResourceInject)
	cm.EnableIPConflictDetection = l.IPConflictDetection
	return cm
}

// controllerEnvVars is the controller environment (KEY=VALUE) the chart
// sets by default that the lab's processes need as well, followed by the
// lab's extra variables, which win.
func (l *Lab) controllerEnvVars() []string {
	return append([]string{config.EnvMultusConfigEnabled + "=true"}, l.ControllerEnv...)
}

// controllerEnv parses controllerEnvVars as the controller would.
func (l *Lab) controllerEnv() (config.ControllerEnv, error) {
	// The two variables StartController sets per replica are required.
	vars := map[string]string{config.EnvPodNamespace: "kube-system", config.EnvPodName: ControllerProcess(0)}
	for _, kv := range l.controllerEnvVars() {
		k, v, _ := strings.Cut(kv, "=")
		vars[k] = v
	}
	env, err := config.ParseControllerEnv(func(name string) (string, bool) {
		v, ok := vars[name]
		return v, ok
	})
	if err != nil {
		return config.ControllerEnv{}, fmt.Errorf("lab controller environment: %w", err)
	}
	return env, nil
}

// writeConfig writes cm as conf.yml to path.
func writeConfig(path string, cm config.ConfigMap) error {
	data, err := yaml.Marshal(cm)
	if err != nil {
		return fmt.Errorf("encode %s: %w", path, err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil { //nolint:gosec // read by the lab's own processes
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}
