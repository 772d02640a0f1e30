// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package controller

import (
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/spf13/cobra"
	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"k8s.io/apimachinery/pkg/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/rest"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"

	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
	"github.com/spiderpool-go/spiderpool/internal/config"
	"github.com/spiderpool-go/spiderpool/internal/logging"
)

// The clean subcommand's environment, set by the chart's pre-delete hook.
const (
	// EnvInitName names the spiderpool-init Job; the Job is in
	// SPIDERPOOL_POD_NAMESPACE (docs/reference/interface.md §4.4).
	EnvInitName = "SPIDERPOOL_INIT_NAME"
	// EnvHelmReleaseName and EnvHelmReleaseNamespace name the release being
	// uninstalled: only its webhook configurations and init Job are
	// deleted (CleanOptions).
	EnvHelmReleaseName      = "SPIDERPOOL_HELM_RELEASE_NAME"
	EnvHelmReleaseNamespace = "SPIDERPOOL_HELM_RELEASE_NAMESPACE"
)

// newCleanCommand returns "spiderpool-controller clean --validate <name>
// --mutating <name>", the chart's pre-delete hook.
func newCleanCommand() *cobra.Command {
	var opts CleanOptions
	cmd := &cobra.Command{
		Use:   "clean",
		Short: "Remove the release's webhooks, Spiderpool's resources and CRDs, and the init Job before the chart is deleted",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := logging.Setup(cmd.Context(), logging.DefaultLevel)
			cleanEnv(os.LookupEnv, &opts)
			restConfig, err := ctrl.GetConfig()
			if err != nil {
				return fmt.Errorf("kubeconfig: %w", err)
			}
			c, err := newCleanClient(restConfig)
			if err != nil {
				return err
			}
			return Clean(ctx, c, opts)
		},
	}
	fs := cmd.Flags()
	fs.StringVar(&opts.ValidatingWebhook, "validate", "", "ValidatingWebhookConfiguration to delete")
	fs.StringVar(&opts.MutatingWebhook, "mutating", "", "MutatingWebhookConfiguration to delete")
	return cmd
}

// cleanEnv sets the init Job's namespace and name and the release's name
// and namespace in opts from the environment, trimmed, as the other
// variables are.
func cleanEnv(lookup config.LookupFunc, opts *CleanOptions) {
	get := func(name string) string {
		v, _ := lookup(name)
		return strings.TrimSpace(v)
	}
	opts.InitJobNamespace, opts.InitJobName = get(config.EnvPodNamespace), get(EnvInitName)
	opts.ReleaseName, opts.ReleaseNamespace = get(EnvHelmReleaseName), get(EnvHelmReleaseNamespace)
}

// newCleanClient returns a client for the kinds Clean deletes.
func newCleanClient(restConfig *rest.Config) (client.Client, error) {
	scheme := runtime.NewScheme()
	err := errors.Join(clientgoscheme.AddToScheme(scheme), apiextensionsv1.AddToScheme(scheme),
		admissionregistrationv1.AddToScheme(scheme), spiderpoolv2beta1.AddToScheme(scheme))
	if err != nil {
		return nil, fmt.Errorf("scheme: %w", err)
	}
	c, err := client.New(restConfig, client.Options{Scheme: scheme})
	if err != nil {
		return nil, fmt.Errorf("client: %w", err)
	}
	return c, nil
}
