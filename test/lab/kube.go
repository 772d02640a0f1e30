// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package lab

import (
	"context"
	"errors"
	"fmt"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/wait"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/envtest"

	ipamclaimsv1alpha1 "github.com/spiderpool-go/spiderpool/api/ipamclaims/v1alpha1"
	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
)

func (l *Lab) writeKubeconfig() error {
	cfg := clientcmdapi.NewConfig()
	cfg.Clusters["lab"] = &clientcmdapi.Cluster{Server: l.Server(), CertificateAuthority: l.pki.CACert()}
	cfg.AuthInfos["lab-admin"] = &clientcmdapi.AuthInfo{Token: l.AdminToken}
	cfg.Contexts["lab"] = &clientcmdapi.Context{Cluster: "lab", AuthInfo: "lab-admin", Namespace: "default"}
	cfg.CurrentContext = "lab"
	if err := clientcmd.WriteToFile(*cfg, l.Kubeconfig); err != nil {
		return fmt.Errorf("write kubeconfig: %w", err)
	}
	return nil
}

// RESTConfig is the admin client configuration.
func (l *Lab) RESTConfig() (*rest.Config, error) {
	cfg, err := clientcmd.BuildConfigFromFlags("", l.Kubeconfig)
	if err != nil {
		return nil, fmt.Errorf("load lab kubeconfig: %w", err)
	}
	cfg.QPS, cfg.Burst = 100, 200
	return cfg, nil
}

func (l *Lab) client() (client.Client, error) { return l.Client() }

// Client is an admin client of the lab that knows the core kinds and the
// project's CRD types.
func (l *Lab) Client() (client.Client, error) {
	cfg, err := l.RESTConfig()
	if err != nil {
		return nil, err
	}
	scheme := runtime.NewScheme()
	if err := errors.Join(clientgoscheme.AddToScheme(scheme), spiderpoolv2beta1.AddToScheme(scheme),
		ipamclaimsv1alpha1.AddToScheme(scheme)); err != nil {
		return nil, fmt.Errorf("lab client scheme: %w", err)
	}
	c, err := client.New(cfg, client.Options{Scheme: scheme})
	if err != nil {
		return nil, fmt.Errorf("lab client: %w", err)
	}
	return c, nil
}

func (l *Lab) installCRDs(ctx context.Context) error {
	if len(l.opts.CRDDirs) == 0 {
		return nil
	}
	cfg, err := l.RESTConfig()
	if err != nil {
		return err
	}
	_, err = envtest.InstallCRDs(cfg, envtest.CRDInstallOptions{
		Paths: l.opts.CRDDirs, ErrorIfPathMissing: true, MaxTime: time.Minute,
	})
	if err != nil {
		return fmt.Errorf("install CRDs from %v: %w", l.opts.CRDDirs, err)
	}
	return ctx.Err()
}

func (l *Lab) waitNodesReady(ctx context.Context) error {
	c, err := l.client()
	if err != nil {
		return err
	}
	return wait.PollUntilContextTimeout(ctx, 250*time.Millisecond, 2*time.Minute, true,
		func(ctx context.Context) (bool, error) {
			for _, n := range l.Nodes {
				node := &corev1.Node{}
				if err := c.Get(ctx, client.ObjectKey{Name: n.Name}, node); err != nil {
					return false, nil //nolint:nilerr // not registered yet: keep polling
				}
				if !nodeReady(node) {
					return false, nil
				}
			}
			return true, nil
		})
}

func nodeReady(n *corev1.Node) bool {
	for _, c := range n.Status.Conditions {
		if c.Type == corev1.NodeReady {
			return c.Status == corev1.ConditionTrue
		}
	}
	return false
}
