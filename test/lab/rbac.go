// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package lab

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"

	authenticationv1 "k8s.io/api/authentication/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
	"k8s.io/utils/ptr"
)

// ServiceAccounts of the chart the lab's processes run as.
const (
	AgentServiceAccount      = "spiderpool-agent"
	ControllerServiceAccount = "spiderpool-controller"
)

// applyChartRBAC renders the chart's ServiceAccounts and RBAC with helm
// template and applies them, in process mode with a chart: the agents and
// controllers then run with exactly the chart's permissions.
func (l *Lab) applyChartRBAC(ctx context.Context) error {
	if l.Chart == "" || l.ChartMode() {
		return nil
	}
	args := []string{"template", ReleaseName, l.Chart, "--namespace", ReleaseNamespace}
	// The chart's templates holding its ServiceAccounts and RBAC objects.
	for _, t := range []string{"templates/serviceaccount.yaml", "templates/rbac.yaml"} {
		args = append(args, "--show-only", t)
	}
	manifest, err := l.Helm(ctx, args...)
	if err != nil {
		return err
	}
	cmd := exec.CommandContext(ctx, l.Kubectl(), "--kubeconfig", l.Kubeconfig, "apply", "-f", "-")
	cmd.Stdin = bytes.NewReader(manifest)
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("kubectl apply the chart's RBAC: %w: %s", err, out)
	}
	for _, sa := range []string{AgentServiceAccount, ControllerServiceAccount} {
		if err := l.writeServiceAccountKubeconfig(ctx, sa); err != nil {
			return err
		}
	}
	return nil
}

// processKubeconfig is the kubeconfig a process of ServiceAccount sa uses:
// a token of sa when the lab applied the chart's RBAC, else the admin's.
func (l *Lab) processKubeconfig(sa string) string {
	if l.Chart == "" {
		return l.Kubeconfig
	}
	return l.serviceAccountKubeconfig(sa)
}

func (l *Lab) serviceAccountKubeconfig(sa string) string {
	return filepath.Join(l.Dir, "serviceaccounts", sa+".kubeconfig")
}

// writeServiceAccountKubeconfig asks the TokenRequest API for a 24 h token
// of ServiceAccount sa in the release namespace and writes a kubeconfig
// holding it.
func (l *Lab) writeServiceAccountKubeconfig(ctx context.Context, sa string) error {
	c, err := l.client()
	if err != nil {
		return err
	}
	acct := &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Namespace: ReleaseNamespace, Name: sa}}
	tr := &authenticationv1.TokenRequest{Spec: authenticationv1.TokenRequestSpec{ExpirationSeconds: ptr.To[int64](24 * 60 * 60)}}
	if err := c.SubResource("token").Create(ctx, acct, tr); err != nil {
		return fmt.Errorf("request a token of ServiceAccount %s: %w", sa, err)
	}
	path := l.serviceAccountKubeconfig(sa)
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fmt.Errorf("create serviceaccounts dir: %w", err)
	}
	cfg := clientcmdapi.NewConfig()
	cfg.Clusters["lab"] = &clientcmdapi.Cluster{Server: l.processServer(), CertificateAuthority: l.pki.CACert()}
	cfg.AuthInfos[sa] = &clientcmdapi.AuthInfo{Token: tr.Status.Token}
	cfg.Contexts["lab"] = &clientcmdapi.Context{Cluster: "lab", AuthInfo: sa, Namespace: ReleaseNamespace}
	cfg.CurrentContext = "lab"
	if err := clientcmd.WriteToFile(*cfg, path); err != nil {
		return fmt.Errorf("write kubeconfig of %s: %w", sa, err)
	}
	return nil
}
