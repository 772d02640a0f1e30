// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package ctl

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// session is what one command run needs: flags, then the client.
type session struct {
	env        *Env
	kubeconfig string
	output     string
	configMap  string
}

// connect parses -o and builds the client and the GC judge.
func (s *session) connect(ctx context.Context) (client.Client, judgeFunc, Format, error) {
	f, err := ParseOutput(s.output)
	if err != nil {
		return nil, nil, "", err
	}
	c, err := s.env.NewClient(s.kubeconfig)
	if err != nil {
		return nil, nil, "", err
	}
	cm, err := ParsePodRef(s.configMap, "")
	if err != nil {
		return nil, nil, "", fmt.Errorf("--config-map: %w", err)
	}
	opts, err := LoadGCOptions(ctx, c, client.ObjectKey{Namespace: cm.Namespace, Name: cm.Name})
	if err != nil {
		return nil, nil, "", err
	}
	return c, gcJudge(opts, c, s.env.Now), f, nil
}

func (s *session) render(f Format, report table) error {
	return Render(s.env.Out, f, report, s.env.Now())
}

func newRoot(env *Env) *cobra.Command {
	s := &session{env: env}
	root := &cobra.Command{
		Use:   "spiderpoolctl",
		Short: "Inspect and repair Spiderpool's IP allocation records",
		Long: "spiderpoolctl reads SpiderIPPools, SpiderEndpoints and pods to show who holds which address,\n" +
			"checks them against each other, and releases leaked addresses safely.\n\n" +
			"Exit codes: 0 clean or done, 1 problems found or release refused, 2 error.",
		SilenceErrors: true,
		SilenceUsage:  true,
	}
	root.SetOut(env.Out)
	root.SetErr(env.Err)
	pf := root.PersistentFlags()
	pf.StringVar(&s.kubeconfig, "kubeconfig", "", "kubeconfig file (default: $KUBECONFIG, ~/.kube/config, or in-cluster)")
	pf.StringVarP(&s.output, "output", "o", "table", "output format: table, json or yaml")
	pf.StringVar(&s.configMap, "config-map", DefaultConfigMapNamespace+"/"+DefaultConfigMapName,
		"the spiderpool-conf ConfigMap, as namespace/name (enableStatefulSet and enableKubevirtStaticIP decide what is kept by design)")
	root.AddCommand(newPoolCmd(s), newIPCmd(s), newPodCmd(s), newCheckCmd(s))
	return root
}

func newPoolCmd(s *session) *cobra.Command {
	pool := &cobra.Command{Use: "pool", Short: "SpiderIPPools"}
	pool.AddCommand(&cobra.Command{
		Use:   "list",
		Short: "List every SpiderIPPool with its used, free and total addresses",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			f, err := ParseOutput(s.output)
			if err != nil {
				return err
			}
			c, err := s.env.NewClient(s.kubeconfig)
			if err != nil {
				return err
			}
			snap, err := LoadSnapshot(cmd.Context(), c)
			if err != nil {
				return err
			}
			return s.render(f, ListPools(snap))
		},
	})
	return pool
}

func newCheckCmd(s *session) *cobra.Command {
	return &cobra.Command{
		Use:   "check",
		Short: "Check pool records against SpiderEndpoints and live pods (exit 1 when a problem is found)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, judge, f, err := s.connect(cmd.Context())
			if err != nil {
				return err
			}
			snap, err := LoadSnapshot(cmd.Context(), c)
			if err != nil {
				return err
			}
			rep, err := Check(cmd.Context(), snap, judge)
			if err != nil {
				return err
			}
			if err := s.render(f, rep); err != nil {
				return err
			}
			if rep.Problems > 0 {
				return fmt.Errorf("%w: %d", ErrProblems, rep.Problems)
			}
			return nil
		},
	}
}

func newPodCmd(s *session) *cobra.Command {
	var namespace string
	pod := &cobra.Command{Use: "pod", Short: "Pods"}
	show := &cobra.Command{
		Use:   "show <namespace>/<name> | -n <namespace> <name>",
		Short: "Show a pod's addresses per interface, from its SpiderEndpoint and the pools' records",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ref, err := ParsePodRef(args[0], namespace)
			if err != nil {
				return err
			}
			f, err := ParseOutput(s.output)
			if err != nil {
				return err
			}
			c, err := s.env.NewClient(s.kubeconfig)
			if err != nil {
				return err
			}
			snap, err := LoadSnapshot(cmd.Context(), c)
			if err != nil {
				return err
			}
			rep, err := ShowPod(cmd.Context(), c, snap, ref)
			if err != nil {
				return err
			}
			return s.render(f, rep)
		},
	}
	show.Flags().StringVarP(&namespace, "namespace", "n", "", "the pod's namespace")
	pod.AddCommand(show)
	return pod
}
