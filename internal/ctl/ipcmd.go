// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package ctl

import (
	"github.com/spf13/cobra"
)

func newIPCmd(s *session) *cobra.Command {
	ip := &cobra.Command{Use: "ip", Short: "Addresses"}
	ip.AddCommand(newIPShowCmd(s), newIPReleaseCmd(s), newIPUnquarantineCmd(s))
	return ip
}

func newIPShowCmd(s *session) *cobra.Command {
	return &cobra.Command{
		Use:   "show <IP>",
		Short: "Show which pool and pod hold an address, since when, and whether the pod is alive",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ip, err := ParseIP(args[0])
			if err != nil {
				return err
			}
			c, err := s.connect(cmd.Context(), true)
			if err != nil {
				return err
			}
			rep, err := ShowIP(cmd.Context(), c.snap, ip, c.judge)
			if err != nil {
				return err
			}
			return s.render(c.format, rep)
		},
	}
}

func newIPReleaseCmd(s *session) *cobra.Command {
	var opts ReleaseOptions
	cmd := &cobra.Command{
		Use:   "release <IP>",
		Short: "Release a leaked address: refused (exit 1) while the pod holding it is alive",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			var err error
			if opts.IP, err = ParseIP(args[0]); err != nil {
				return err
			}
			c, err := s.connect(cmd.Context(), true)
			if err != nil {
				return err
			}
			rep, err := Release(cmd.Context(), c.snap, &Writer{Client: c.client}, opts, c.judge)
			if len(rep.Actions) > 0 {
				if rerr := s.render(c.format, rep); rerr != nil && err == nil {
					err = rerr
				}
			}
			return err
		},
	}
	cmd.Flags().StringVar(&opts.Pool, "pool", "", "release only the record of this SpiderIPPool")
	cmd.Flags().BoolVar(&opts.DryRun, "dry-run", false, "show what would be written, write nothing")
	return cmd
}
