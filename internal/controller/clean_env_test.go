// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package controller

import (
	"testing"

	"github.com/spiderpool-go/spiderpool/internal/config"
)

func TestCleanEnv(t *testing.T) {
	env := map[string]string{config.EnvPodNamespace: " kube-system ", EnvInitName: "spiderpool-init",
		EnvHelmReleaseName: "spiderpool", EnvHelmReleaseNamespace: "kube-system\n"}
	opts := CleanOptions{ValidatingWebhook: "v", MutatingWebhook: "m"}
	cleanEnv(func(name string) (string, bool) { v, ok := env[name]; return v, ok }, &opts)
	want := CleanOptions{ValidatingWebhook: "v", MutatingWebhook: "m", InitJobNamespace: "kube-system",
		InitJobName: "spiderpool-init", ReleaseName: "spiderpool", ReleaseNamespace: "kube-system"}
	if opts != want {
		t.Errorf("cleanEnv() = %+v, want %+v", opts, want)
	}
}
