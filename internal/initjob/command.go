// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package initjob

import (
	"context"
	"errors"
	"fmt"

	"github.com/spf13/cobra"
	"k8s.io/apimachinery/pkg/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/rest"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"

	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
	"github.com/spiderpool-go/spiderpool/internal/config"
	"github.com/spiderpool-go/spiderpool/internal/logging"
)

// NewCommand returns the spiderpool-init command. It takes no arguments: the
// chart configures it with SPIDERPOOL_* variables
// (docs/reference/interface.md §4.4).
func NewCommand() *cobra.Command {
	return &cobra.Command{
		Use:          "spiderpool-init",
		Short:        "Create Spiderpool's default coordinator, subnets, pools and multus config, then write the readiness file",
		Args:         cobra.NoArgs,
		SilenceUsage: true,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return Main(logging.Setup(cmd.Context(), logging.DefaultLevel), nil, ctrl.GetConfig)
		},
	}
}

// Main parses the environment through lookup (os.LookupEnv if nil),
// connects with the config restConfig returns and runs the Job.
func Main(ctx context.Context, lookup config.LookupFunc, restConfig func() (*rest.Config, error)) error {
	env, err := config.ParseInitEnv(lookup)
	if err != nil {
		return err
	}
	cfg, err := restConfig()
	if err != nil {
		return fmt.Errorf("kubeconfig: %w", err)
	}
	c, err := NewClient(cfg)
	if err != nil {
		return err
	}
	job := &Job{Client: c, Env: env}
	return job.Run(ctx)
}

// NewClient returns a client whose scheme knows the core and Spiderpool
// types.
func NewClient(cfg *rest.Config) (client.Client, error) {
	scheme := runtime.NewScheme()
	if err := errors.Join(clientgoscheme.AddToScheme(scheme), spiderpoolv2beta1.AddToScheme(scheme)); err != nil {
		return nil, fmt.Errorf("scheme: %w", err)
	}
	c, err := client.New(cfg, client.Options{Scheme: scheme})
	if err != nil {
		return nil, fmt.Errorf("client: %w", err)
	}
	return c, nil
}
