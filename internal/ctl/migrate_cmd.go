// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package ctl

import (
	"github.com/spf13/cobra"

	"github.com/spiderpool-go/spiderpool/internal/config"
)

// defaultMaxAllocatedIPs is the agents' default SPIDERPOOL_IPPOOL_MAX_ALLOCATED_IPS.
const defaultMaxAllocatedIPs = 5000

func newMigrateCmd(s *session) *cobra.Command {
	migrate := &cobra.Command{Use: "migrate", Short: "Switching a Spiderpool cluster to spiderpool-go"}
	opts := MigrateOptions{}
	check := &cobra.Command{
		Use:   "check",
		Short: "Report what would block adopting the live Spiderpool state, writing nothing (exit 1 when a problem is found)",
		Long: "migrate check runs check (records whose pod is gone, records and endpoints that disagree, addresses\n" +
			"in two pools) and also reports unnamed NIC entries, pools holding more records than our agents'\n" +
			config.EnvIPPoolMaxAllocated + ", and Helm releases of Spiderpool whose uninstall would run its\n" +
			"pre-delete cleanup (which deletes every pool and the CRDs). See docs/migration.md.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return s.runCheck(cmd.Context(), func(c *conn, judge judgeFunc) (CheckReport, error) {
				return MigrateCheck(cmd.Context(), c.snap, judge, LoadHelmReleases(cmd.Context(), c.client), opts)
			})
		},
	}
	check.Flags().IntVar(&opts.MaxAllocatedIPs, "max-allocated-ips", defaultMaxAllocatedIPs,
		"our agents' "+config.EnvIPPoolMaxAllocated+": pools holding more records are reported")
	migrate.AddCommand(check)
	return migrate
}
