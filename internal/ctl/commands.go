// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package ctl

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/spiderpool-go/spiderpool/internal/gc"
)

// session holds the global flags of one spiderpoolctl run.
type session struct {
	env        *Env
	kubeconfig string
	output     string
	configMap  string
}

// conn is what a verb works with: the output format, the client, the
// snapshot of the IPAM objects and, for verbs that judge liveness, the
// GC's judge.
type conn struct {
	format Format
	client client.Client
	snap   *Snapshot
	// gcOpts are the GC options judge applies.
	gcOpts gc.Options
	// judge judges on reads from the API server.
	judge judgeFunc
}

// connect parses -o, builds the client, reads the snapshot and, when
// judging, the GC options.
func (s *session) connect(ctx context.Context, judging bool) (*conn, error) {
	f, err := ParseOutput(s.output)
	if err != nil {
		return nil, err
	}
	c := &conn{format: f}
	if c.client, err = s.env.NewClient(s.kubeconfig); err != nil {
		return nil, err
	}
	if judging {
		cm, err := ParsePodRef(s.configMap, "")
		if err != nil {
			return nil, fmt.Errorf("--config-map: %w", err)
		}
		if c.gcOpts, err = LoadGCOptions(ctx, c.client, client.ObjectKey{Namespace: cm.Namespace, Name: cm.Name}); err != nil {
			return nil, err
		}
		c.judge = gcJudge(c.gcOpts, c.client, s.env.Now)
	}
	if c.snap, err = LoadSnapshot(ctx, c.client); err != nil {
		return nil, err
	}
	return c, nil
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
	root.AddCommand(newPoolCmd(s), newSubnetCmd(s), newIPCmd(s), newPodCmd(s), newCheckCmd(s), newMigrateCmd(s))
	return root
}

func newPoolCmd(s *session) *cobra.Command {
	pool := &cobra.Command{Use: "pool", Short: "SpiderIPPools"}
	pool.AddCommand(&cobra.Command{
		Use:   "list",
		Short: "List every SpiderIPPool with its used, free and total addresses",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := s.connect(cmd.Context(), false)
			if err != nil {
				return err
			}
			return s.render(c.format, ListPools(c.snap))
		},
	})
	return pool
}

func newSubnetCmd(s *session) *cobra.Command {
	subnet := &cobra.Command{Use: "subnet", Short: "SpiderSubnets"}
	subnet.AddCommand(&cobra.Command{
		Use:   "list",
		Short: "List every SpiderSubnet with its pools and its pre-allocated, used, free and total addresses",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := s.connect(cmd.Context(), false)
			if err != nil {
				return err
			}
			subnets, err := LoadSubnets(cmd.Context(), c.client)
			if err != nil {
				return err
			}
			return s.render(c.format, ListSubnets(subnets, c.snap))
		},
	})
	return subnet
}

func newCheckCmd(s *session) *cobra.Command {
	return &cobra.Command{
		Use:   "check",
		Short: "Check pool records against SpiderEndpoints and live pods (exit 1 when a problem is found)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return s.runCheck(cmd.Context(), func(c *conn, judge judgeFunc) (CheckReport, error) {
				return Check(cmd.Context(), c.snap, judge)
			})
		},
	}
}

// runCheck connects, judges the records, builds a report with build,
// renders it and returns ErrProblems when it found any: the body of check
// and migrate check.
func (s *session) runCheck(ctx context.Context, build func(c *conn, judge judgeFunc) (CheckReport, error)) error {
	c, err := s.connect(ctx, true)
	if err != nil {
		return err
	}
	lists, err := newListReader(ctx, c.client, c.snap)
	if err != nil {
		return err
	}
	rep, err := build(c, gcJudge(c.gcOpts, lists, s.env.Now))
	if err != nil {
		return err
	}
	if err := s.render(c.format, rep); err != nil {
		return err
	}
	if rep.Problems > 0 {
		return fmt.Errorf("%w: %d", ErrProblems, rep.Problems)
	}
	return nil
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
			c, err := s.connect(cmd.Context(), false)
			if err != nil {
				return err
			}
			rep, err := ShowPod(cmd.Context(), c.client, c.snap, ref)
			if err != nil {
				return err
			}
			return s.render(c.format, rep)
		},
	}
	show.Flags().StringVarP(&namespace, "namespace", "n", "", "the pod's namespace")
	pod.AddCommand(show)
	return pod
}
