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

// EnvInitName names the spiderpool-init Job for the clean subcommand; the
// Job is in SPIDERPOOL_POD_NAMESPACE (docs/reference/interface.md §4.4).
const EnvInitName = "SPIDERPOOL_INIT_NAME"

// newCleanCommand returns "spiderpool-controller clean --validate <name>
// --mutating <name>", the chart's pre-delete hook.
func newCleanCommand() *cobra.Command {
	var opts CleanOptions
	cmd := &cobra.Command{
		Use:   "clean",
		Short: "Remove Spiderpool's webhooks, resources, CRDs and init Job before the chart is deleted",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := logging.Setup(cmd.Context(), logging.DefaultLevel)
			opts.InitJobNamespace, opts.InitJobName = cleanEnv(os.LookupEnv)
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

// cleanEnv reads the init Job's namespace and name, trimmed, as the other
// variables are.
func cleanEnv(lookup config.LookupFunc) (namespace, name string) {
	ns, _ := lookup(config.EnvPodNamespace)
	n, _ := lookup(EnvInitName)
	return strings.TrimSpace(ns), strings.TrimSpace(n)
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
