// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package e2e

import (
	"context"
	"errors"
	"os/exec"
	"strings"
	"testing"

	"github.com/spiderpool-go/spiderpool/test/lab"
)

// rbacCase is one kubectl auth can-i question and the expected answer.
type rbacCase struct {
	sa   string
	args []string // verb, resource and flags
	want bool
}

// chartRBACCases: each component may do what it needs and no more.
func chartRBACCases() []rbacCase {
	const (
		agentSA, ctrlSA, initSA, cleanSA = "spiderpool-agent", "spiderpool-controller", "spiderpool-init", "spiderpool-controller-hook-pre-delete"
		sys                              = "--namespace=" + lab.ReleaseNamespace
	)
	return []rbacCase{
		{agentSA, []string{"get", "pods", "--all-namespaces"}, true},
		{agentSA, []string{"list", "pods", "--all-namespaces"}, true},
		{agentSA, []string{"watch", "pods", "--all-namespaces"}, true},
		{agentSA, []string{"update", "spiderippools.spiderpool.spidernet.io", "--subresource=status"}, true},
		{agentSA, []string{"create", "spiderendpoints.spiderpool.spidernet.io", "--namespace=default"}, true},
		{agentSA, []string{"get", "secrets", sys}, false},
		{agentSA, []string{"delete", "pods", "--namespace=default"}, false},
		{agentSA, []string{"create", "spiderippools.spiderpool.spidernet.io"}, true}, // third-party controllers' auto pools
		{agentSA, []string{"delete", "spiderippools.spiderpool.spidernet.io"}, false},
		{agentSA, []string{"patch", "nodes"}, false},
		{ctrlSA, []string{"update", "secrets/spiderpool-controller-server-certs", sys}, true},
		{ctrlSA, []string{"update", "validatingwebhookconfigurations.admissionregistration.k8s.io/spiderpool-controller"}, true},
		{ctrlSA, []string{"update", "spiderippools.spiderpool.spidernet.io", "--subresource=status"}, true},
		{ctrlSA, []string{"list", "secrets", "--all-namespaces"}, false},
		{ctrlSA, []string{"get", "secrets", "--namespace=default"}, false},
		{ctrlSA, []string{"delete", "pods", "--namespace=default"}, false},
		{ctrlSA, []string{"create", "spiderippools.spiderpool.spidernet.io"}, true}, // auto pools of applications
		{ctrlSA, []string{"delete", "spiderippools.spiderpool.spidernet.io"}, true}, // reclaimed auto pools
		{ctrlSA, []string{"create", "network-attachment-definitions.k8s.cni.cncf.io", "--namespace=default"}, true},
		{ctrlSA, []string{"delete", "network-attachment-definitions.k8s.cni.cncf.io", "--namespace=default"}, false},
		{ctrlSA, []string{"delete", "spidersubnets.spiderpool.spidernet.io"}, true}, // foreground re-issue of a subnet's delete
		{initSA, []string{"create", "spiderippools.spiderpool.spidernet.io"}, true},
		{initSA, []string{"delete", "spiderippools.spiderpool.spidernet.io"}, false},
		{initSA, []string{"get", "secrets", sys}, false},
		{cleanSA, []string{"delete", "customresourcedefinitions.apiextensions.k8s.io/spiderippools.spiderpool.spidernet.io"}, true},
		{cleanSA, []string{"delete", "customresourcedefinitions.apiextensions.k8s.io/network-attachment-definitions.k8s.cni.cncf.io"}, false},
		{cleanSA, []string{"delete", "spiderippools.spiderpool.spidernet.io"}, true},
		{cleanSA, []string{"create", "spiderippools.spiderpool.spidernet.io"}, false},
		{cleanSA, []string{"get", "secrets", sys}, false},
	}
}

// checkChartRBAC asks the API server, with the real kubectl, what each of
// the chart's ServiceAccounts may do.
func checkChartRBAC(t *testing.T, ctx context.Context, l *lab.Lab) {
	for _, tc := range chartRBACCases() {
		got, err := canI(ctx, l, tc.sa, tc.args)
		if err != nil {
			t.Errorf("%s %v: %v", tc.sa, tc.args, err)
			continue
		}
		if got != tc.want {
			t.Errorf("%s can-i %s = %v, want %v", tc.sa, strings.Join(tc.args, " "), got, tc.want)
		}
	}
}

// canI runs kubectl auth can-i as the ServiceAccount: exit 0 "yes", exit 1
// "no" on stdout (warnings go to stderr).
func canI(ctx context.Context, l *lab.Lab, sa string, args []string) (bool, error) {
	argv := append([]string{"--kubeconfig", l.Kubeconfig, "auth", "can-i",
		"--as=system:serviceaccount:" + lab.ReleaseNamespace + ":" + sa}, args...)
	out, err := exec.CommandContext(ctx, l.Kubectl(), argv...).Output()
	answer := strings.TrimSpace(string(out))
	var ee *exec.ExitError
	switch {
	case err == nil && answer == "yes":
		return true, nil
	case errors.As(err, &ee) && ee.ExitCode() == 1 && strings.HasPrefix(answer, "no"):
		return false, nil
	}
	return false, errors.Join(err, errors.New("unexpected kubectl output: "+answer))
}
