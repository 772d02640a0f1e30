// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package ctl

import (
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/yaml"
)

// Format is an output format of -o.
type Format string

// Output formats.
const (
	FormatTable Format = "table"
	FormatJSON  Format = "json"
	FormatYAML  Format = "yaml"
)

// table is a report that renders as a human-readable table.
type table interface {
	writeTable(w io.Writer, now time.Time) error
}

// Render writes report in format f. Tables show times as ages relative to
// now.
func Render(w io.Writer, f Format, report table, now time.Time) error {
	switch f {
	case FormatJSON:
		data, err := json.MarshalIndent(report, "", "  ")
		if err != nil {
			return fmt.Errorf("encode JSON: %w", err)
		}
		_, err = fmt.Fprintf(w, "%s\n", data)
		return err
	case FormatYAML:
		data, err := yaml.Marshal(report)
		if err != nil {
			return fmt.Errorf("encode YAML: %w", err)
		}
		_, err = w.Write(data)
		return err
	}
	return report.writeTable(w, now)
}

// writeRows writes a header and rows through a tabwriter.
func writeRows(w io.Writer, header []string, rows [][]string) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	p := &printer{w: tw}
	p.printf("%s\n", strings.Join(header, "\t"))
	for _, r := range rows {
		p.printf("%s\n", strings.Join(r, "\t"))
	}
	if p.err != nil {
		return p.err
	}
	return tw.Flush()
}

// printer writes until the first error, which it keeps.
type printer struct {
	w   io.Writer
	err error
}

func (p *printer) printf(format string, args ...any) {
	if p.err == nil {
		_, p.err = fmt.Fprintf(p.w, format, args...)
	}
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// age renders t as "<age> (<RFC 3339>)", or "-".
func age(t *metav1.Time, now time.Time) string {
	if t == nil || t.IsZero() {
		return "-"
	}
	d := now.Sub(t.Time).Truncate(time.Second)
	return d.String() + " ago (" + t.UTC().Format(time.RFC3339) + ")"
}

func (l PoolList) writeTable(w io.Writer, _ time.Time) error {
	rows := make([][]string, 0, len(l.Pools))
	for _, p := range l.Pools {
		rows = append(rows, []string{
			p.Name, "IPv" + strconv.FormatInt(p.IPVersion, 10), p.Subnet,
			strconv.FormatInt(p.Used, 10), strconv.FormatInt(p.Free, 10), strconv.FormatInt(p.Total, 10),
			strconv.FormatInt(p.Reserved, 10), yesNo(p.Default), yesNo(p.Disabled), yesNo(p.Terminating),
			orDash(p.Application), orDash(p.Error),
		})
	}
	return writeRows(w, []string{"NAME", "VERSION", "SUBNET", "USED", "FREE", "TOTAL", "RESERVED", "DEFAULT", "DISABLED",
		"TERMINATING", "APPLICATION", "ERROR"}, rows)
}

func (l SubnetList) writeTable(w io.Writer, _ time.Time) error {
	rows := make([][]string, 0, len(l.Subnets))
	for _, s := range l.Subnets {
		rows = append(rows, []string{
			s.Name, "IPv" + strconv.FormatInt(s.IPVersion, 10), s.Subnet, orDash(strings.Join(s.Pools, ",")),
			strconv.FormatInt(s.PreAllocated, 10), strconv.FormatInt(s.Used, 10), strconv.FormatInt(s.Free, 10),
			strconv.FormatInt(s.Total, 10), yesNo(s.Terminating), orDash(s.Error),
		})
	}
	return writeRows(w, []string{"NAME", "VERSION", "SUBNET", "POOLS", "PRE-ALLOCATED", "USED", "FREE", "TOTAL",
		"TERMINATING", "ERROR"}, rows)
}

func (r IPReport) writeTable(w io.Writer, now time.Time) error {
	if r.Quarantine != nil {
		if err := r.Quarantine.writeLine(w, r.IP, now); err != nil {
			return err
		}
	}
	if len(r.Holders) == 0 {
		_, err := fmt.Fprintf(w, "%s: not allocated (no pool record, no SpiderEndpoint)\n", r.IP)
		return err
	}
	rows := make([][]string, 0, len(r.Holders))
	for _, h := range r.Holders {
		rows = append(rows, []string{
			r.IP, h.Pool, h.Pod, h.UID, orDash(h.Node), orDash(h.NIC), yesNo(h.Recorded), yesNo(h.Endpoint),
			age(h.Since, now), yesNo(h.Alive), h.State,
		})
	}
	return writeRows(w, []string{"IP", "POOL", "POD", "UID", "NODE", "INTERFACE", "RECORDED", "ENDPOINT", "SINCE", "ALIVE", "STATE"}, rows)
}

func (r PodReport) writeTable(w io.Writer, now time.Time) error {
	p := &printer{w: w}
	p.printf("Pod:       %s\nPod UID:   %s\nNode:      %s\nPhase:     %s\n", r.Pod, orDash(r.PodUID), orDash(r.Node), orDash(r.Phase))
	p.printf("Endpoint:  uid %s, owner %s, since %s\n\n", orDash(r.EndpointUID), orDash(r.Owner), age(r.Since, now))
	if p.err != nil {
		return p.err
	}
	rows := make([][]string, 0, len(r.NICs))
	for _, n := range r.NICs {
		rows = append(rows, []string{
			n.NIC, orDash(n.IPv4), orDash(n.IPv4Pool), orDash(n.IPv4Gateway), orDash(n.IPv6), orDash(n.IPv6Pool),
			orDash(n.IPv6Gateway), strconv.FormatInt(n.Vlan, 10), orDash(strings.Join(n.Routes, ", ")),
		})
	}
	header := []string{"INTERFACE", "IPV4", "IPV4POOL", "IPV4GATEWAY", "IPV6", "IPV6POOL", "IPV6GATEWAY", "VLAN", "ROUTES"}
	if err := writeRows(w, header, rows); err != nil {
		return err
	}
	if _, err := fmt.Fprintln(w, "\nPool records:"); err != nil {
		return err
	}
	recs := make([][]string, 0, len(r.Records))
	for _, rec := range r.Records {
		recs = append(recs, []string{rec.Pool, rec.IP, rec.UID, yesNo(rec.UID == r.EndpointUID && rec.UID != "")})
	}
	return writeRows(w, []string{"POOL", "IP", "UID", "MATCHES-ENDPOINT"}, recs)
}

func (r CheckReport) writeTable(w io.Writer, _ time.Time) error {
	if len(r.Findings) > 0 {
		rows := make([][]string, 0, len(r.Findings))
		for _, f := range r.Findings {
			sev := "note"
			if f.Problem {
				sev = "PROBLEM"
			}
			rows = append(rows, []string{sev, string(f.Kind), orDash(f.IP), orDash(f.Pool), orDash(f.Pod), orDash(f.UID), f.Detail})
		}
		if err := writeRows(w, []string{"SEVERITY", "KIND", "IP", "POOL", "POD", "UID", "DETAIL"}, rows); err != nil {
			return err
		}
		if _, err := fmt.Fprintln(w); err != nil {
			return err
		}
	}
	claims := ""
	if r.IPClaims > 0 {
		claims = fmt.Sprintf(", %d SpiderIPClaims", r.IPClaims)
	}
	_, err := fmt.Fprintf(w, "checked %d pools, %d records, %d endpoints%s: %d problem(s), %d note(s)\n",
		r.Pools, r.Records, r.Endpoints, claims, r.Problems, len(r.Findings)-r.Problems)
	return err
}

func (r ReleaseReport) writeTable(w io.Writer, _ time.Time) error {
	rows := make([][]string, 0, len(r.Actions))
	for _, a := range r.Actions {
		rows = append(rows, []string{r.IP, a.Op, orDash(a.Pool), orDash(a.Endpoint), a.Pod, a.UID, a.Result})
	}
	if err := writeRows(w, []string{"IP", "OP", "POOL", "ENDPOINT", "POD", "UID", "RESULT"}, rows); err != nil {
		return err
	}
	if r.DryRun {
		_, err := fmt.Fprintln(w, "dry run: nothing written")
		return err
	}
	return nil
}
