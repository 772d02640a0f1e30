// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package nodesim

import (
	"context"
	"fmt"
	"os"

	authenticationv1 "k8s.io/api/authentication/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// tokenSeconds is the lifetime of the tokens the simulator gives its pods.
const tokenSeconds = 24 * 60 * 60

// podToken asks the TokenRequest API for a token of the pod's
// ServiceAccount, bound to the pod: a process run for the pod has exactly
// the RBAC of its ServiceAccount, and the token dies with the pod.
func podToken(ctx context.Context, c client.Client, pod *corev1.Pod) (string, error) {
	sa := &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Namespace: pod.Namespace, Name: serviceAccountOf(pod)}}
	tr := &authenticationv1.TokenRequest{Spec: authenticationv1.TokenRequestSpec{
		ExpirationSeconds: ptr.To[int64](tokenSeconds),
		BoundObjectRef:    &authenticationv1.BoundObjectReference{Kind: "Pod", APIVersion: "v1", Name: pod.Name, UID: pod.UID},
	}}
	if err := c.SubResource("token").Create(ctx, sa, tr); err != nil {
		return "", fmt.Errorf("request a token of ServiceAccount %s/%s: %w", sa.Namespace, sa.Name, err)
	}
	return tr.Status.Token, nil
}

// writeKubeconfig writes a kubeconfig for server (CA from rc) with token.
func writeKubeconfig(path string, rc *rest.Config, token string) error {
	ca := rc.CAData
	if len(ca) == 0 && rc.CAFile != "" {
		data, err := os.ReadFile(rc.CAFile)
		if err != nil {
			return fmt.Errorf("read API server CA: %w", err)
		}
		ca = data
	}
	cfg := clientcmdapi.NewConfig()
	cfg.Clusters["lab"] = &clientcmdapi.Cluster{Server: rc.Host, CertificateAuthorityData: ca}
	cfg.AuthInfos["pod"] = &clientcmdapi.AuthInfo{Token: token}
	cfg.Contexts["lab"] = &clientcmdapi.Context{Cluster: "lab", AuthInfo: "pod"}
	cfg.CurrentContext = "lab"
	if err := clientcmd.WriteToFile(*cfg, path); err != nil {
		return fmt.Errorf("write pod kubeconfig: %w", err)
	}
	return nil
}
