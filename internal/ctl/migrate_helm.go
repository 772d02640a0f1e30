// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package ctl

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// Helm keeps each release revision in a Secret (or, with the configmap
// driver, a ConfigMap) labelled owner=helm, key "release": the release as
// JSON, gzipped, base64-encoded.
const (
	helmOwnerLabel   = "owner"
	helmOwner        = "helm"
	helmStatusLabel  = "status"
	helmDeployed     = "deployed"
	helmReleaseKey   = "release"
	spiderpoolChart  = "spiderpool"
	ourChartHomePart = "spiderpool-go"
	preDeleteEvent   = "pre-delete"
	maxReleaseBytes  = 64 << 20
)

// HelmRelease is the part of a Helm release "migrate check" reads.
type HelmRelease struct {
	Name      string `json:"name"`
	Namespace string `json:"namespace"`
	Version   int    `json:"version"`
	Chart     struct {
		Metadata struct {
			Name       string `json:"name"`
			Version    string `json:"version"`
			AppVersion string `json:"appVersion"`
			Home       string `json:"home"`
		} `json:"metadata"`
	} `json:"chart"`
	Hooks []HelmHook `json:"hooks"`
}

// HelmHook is one hook of a release.
type HelmHook struct {
	Name   string   `json:"name"`
	Kind   string   `json:"kind"`
	Events []string `json:"events"`
}

// HelmReleases are the deployed releases found, and why reading them
// failed (if it did).
type HelmReleases struct {
	Releases []HelmRelease
	Err      error
}

func (r HelmRelease) isSpiderpool() bool { return r.Chart.Metadata.Name == spiderpoolChart }

// ours reports whether the release is of this project's chart.
func (r HelmRelease) ours() bool { return strings.Contains(r.Chart.Metadata.Home, ourChartHomePart) }

// preDeleteJobs names the Jobs the release runs before it is uninstalled.
func (r HelmRelease) preDeleteJobs() []string {
	var out []string
	for _, h := range r.Hooks {
		if h.Kind == "Job" && slices.Contains(h.Events, preDeleteEvent) {
			out = append(out, h.Name)
		}
	}
	return out
}

// LoadHelmReleases reads every deployed Helm release of the cluster, from
// Secrets and ConfigMaps labelled owner=helm,status=deployed. A list that
// is refused or a release that does not decode is kept in Err; the others
// are returned.
func LoadHelmReleases(ctx context.Context, r client.Reader) HelmReleases {
	sel := client.MatchingLabels{helmOwnerLabel: helmOwner, helmStatusLabel: helmDeployed}
	var out HelmReleases
	var errs []error
	var secrets corev1.SecretList
	if err := r.List(ctx, &secrets, sel); err != nil {
		errs = append(errs, fmt.Errorf("list Secrets: %w", err))
	}
	for i := range secrets.Items {
		out.add(secrets.Items[i].Namespace, secrets.Items[i].Name, secrets.Items[i].Data[helmReleaseKey], &errs)
	}
	var cms corev1.ConfigMapList
	if err := r.List(ctx, &cms, sel); err != nil {
		errs = append(errs, fmt.Errorf("list ConfigMaps: %w", err))
	}
	for i := range cms.Items {
		out.add(cms.Items[i].Namespace, cms.Items[i].Name, []byte(cms.Items[i].Data[helmReleaseKey]), &errs)
	}
	out.Err = errors.Join(errs...)
	return out
}

func (rs *HelmReleases) add(ns, name string, data []byte, errs *[]error) {
	rel, err := decodeRelease(data)
	if err != nil {
		*errs = append(*errs, fmt.Errorf("helm release %s/%s: %w", ns, name, err))
		return
	}
	rs.Releases = append(rs.Releases, rel)
}

// decodeRelease decodes a stored release: base64, then gzip when the
// data starts with gzip's magic bytes (Helm v3 always compresses), then
// JSON.
func decodeRelease(data []byte) (HelmRelease, error) {
	raw, err := base64.StdEncoding.DecodeString(string(data))
	if err != nil {
		return HelmRelease{}, fmt.Errorf("key %q is not base64: %w", helmReleaseKey, err)
	}
	if bytes.HasPrefix(raw, []byte{0x1f, 0x8b}) {
		zr, err := gzip.NewReader(bytes.NewReader(raw))
		if err != nil {
			return HelmRelease{}, fmt.Errorf("key %q: gunzip: %w", helmReleaseKey, err)
		}
		if raw, err = io.ReadAll(io.LimitReader(zr, maxReleaseBytes)); err != nil {
			return HelmRelease{}, fmt.Errorf("key %q: gunzip: %w", helmReleaseKey, err)
		}
	}
	var rel HelmRelease
	if err := json.Unmarshal(raw, &rel); err != nil {
		return HelmRelease{}, fmt.Errorf("key %q: decode JSON: %w", helmReleaseKey, err)
	}
	return rel, nil
}
