// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package lab

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"time"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/spiderpool-go/spiderpool/internal/webhook"
)

// ControllerPorts are the loopback ports of one spiderpool-controller replica.
type ControllerPorts struct {
	Health  int `json:"health"`
	Metrics int `json:"metrics"`
	Webhook int `json:"webhook"`
	Gops    int `json:"gops,omitempty"`
}

// WebhookConfigurationName names the lab's webhook configurations, as the
// chart names them.
const WebhookConfigurationName = "spiderpool-controller"

// ControllerProcess names the process of controller replica i.
func ControllerProcess(i int) string { return "controller-" + strconv.Itoa(i) }

func (l *Lab) controllerDir(i int) string {
	return filepath.Join(l.Dir, "controllers", strconv.Itoa(i))
}

// ControllerConfig is the controller's conf.yml (the spiderpool-conf ConfigMap).
func (l *Lab) ControllerConfig() string { return filepath.Join(l.Dir, "controller-conf.yml") }

func (l *Lab) startControllers(ctx context.Context) error {
	if l.ControllerBinary == "" {
		return nil
	}
	if err := writeConfig(l.ControllerConfig(), ProcessConfig("", l.PodResourceInject)); err != nil {
		return err
	}
	if err := l.installWebhookConfigurations(ctx); err != nil {
		return err
	}
	for i := range l.Controllers {
		if err := l.StartController(i); err != nil {
			return err
		}
	}
	for i := range l.Controllers {
		if err := l.WaitControllerReady(ctx, i); err != nil {
			return err
		}
	}
	return l.waitCABundle(ctx)
}

// WaitControllerReady waits until replica i of spiderpool-controller
// reports ready (its webhooks served).
func (l *Lab) WaitControllerReady(ctx context.Context, i int) error {
	url := "http://127.0.0.1:" + strconv.Itoa(l.Controllers[i].Health) + "/v1/runtime/readiness"
	if err := waitHTTP(ctx, url, nil, 2*time.Minute); err != nil {
		return fmt.Errorf("controller %d not ready (log: %s): %w", i, l.procs.LogFile(ControllerProcess(i)), err)
	}
	return nil
}

// StartController starts replica i of spiderpool-controller, configured as
// the chart configures it.
func (l *Lab) StartController(i int) error {
	p, dir := l.Controllers[i], l.controllerDir(i)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("controller dir: %w", err)
	}
	env := []string{
		"KUBECONFIG=" + l.processKubeconfig(ControllerServiceAccount),
		"SPIDERPOOL_POD_NAMESPACE=kube-system",
		"SPIDERPOOL_POD_NAME=" + ControllerProcess(i),
		"SPIDERPOOL_HEALTH_PORT=" + strconv.Itoa(p.Health),
		"SPIDERPOOL_METRIC_HTTP_PORT=" + strconv.Itoa(p.Metrics),
		"SPIDERPOOL_WEBHOOK_PORT=" + strconv.Itoa(p.Webhook),
		"SPIDERPOOL_GOPS_LISTEN_PORT=" + strconv.Itoa(p.Gops),
		"SPIDERPOOL_ENABLED_METRIC=true",
		"SPIDERPOOL_LOG_LEVEL=info",
	}
	env = append(env, l.controllerEnvVars()...)
	return l.procs.startEnv(ControllerProcess(i), env, l.ControllerBinary, "daemon",
		"--config-path", l.ControllerConfig(),
		"--tls-server-cert", filepath.Join(dir, "tls.crt"), "--tls-server-key", filepath.Join(dir, "tls.key"),
		"--tls-method", "auto", "--tls-extra-ip-addresses", "127.0.0.1",
		"--mutating-webhook-configuration", WebhookConfigurationName,
		"--validating-webhook-configuration", WebhookConfigurationName)
}

// StopController stops replica i, as a crashed controller would stop.
func (l *Lab) StopController(i int) error {
	return l.procs.stop(ControllerProcess(i), 20*time.Second)
}

// installWebhookConfigurations creates the webhook configurations pointing
// at replica 0 on loopback (the lab has no Service routing); the controller
// fills in their caBundle.
func (l *Lab) installWebhookConfigurations(ctx context.Context) error {
	c, err := l.client()
	if err != nil {
		return err
	}
	env, err := l.controllerEnv()
	if err != nil {
		return err
	}
	opts := webhook.OptionsFrom(ProcessConfig("", l.PodResourceInject), env)
	url := "https://127.0.0.1:" + strconv.Itoa(l.Controllers[0].Webhook)
	mutating, validating := webhook.Configurations(WebhookConfigurationName, webhook.Endpoint{URL: url}, opts)
	if err := c.Create(ctx, mutating); err != nil {
		return fmt.Errorf("create mutating webhook configuration: %w", err)
	}
	if err := c.Create(ctx, validating); err != nil {
		return fmt.Errorf("create validating webhook configuration: %w", err)
	}
	return nil
}

func (l *Lab) waitCABundle(ctx context.Context) error {
	c, err := l.client()
	if err != nil {
		return err
	}
	return wait.PollUntilContextTimeout(ctx, 200*time.Millisecond, time.Minute, true, func(ctx context.Context) (bool, error) {
		v := &admissionregistrationv1.ValidatingWebhookConfiguration{}
		if err := c.Get(ctx, client.ObjectKey{Name: WebhookConfigurationName}, v); err != nil {
			return false, nil //nolint:nilerr // keep polling
		}
		for _, w := range v.Webhooks {
			if len(w.ClientConfig.CABundle) == 0 {
				return false, nil
			}
		}
		return true, nil
	})
}
