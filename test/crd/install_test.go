// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package crd_test

import (
	"os"
	"path/filepath"
	"sort"
	"testing"

	"github.com/google/go-cmp/cmp"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// crdWant is what docs/reference/interface.md §2 says about one CRD.
type crdWant struct {
	scope      apiextensionsv1.ResourceScope
	shortNames []string
	categories []string
	status     bool
	columns    []apiextensionsv1.CustomResourceColumnDefinition
}

func col(name, path, typ string, priority int32) apiextensionsv1.CustomResourceColumnDefinition {
	return apiextensionsv1.CustomResourceColumnDefinition{Name: name, JSONPath: path, Type: typ, Priority: priority}
}

var (
	spiderpoolCategory = []string{"spiderpool"}
	poolColumns        = []apiextensionsv1.CustomResourceColumnDefinition{
		col("VERSION", ".spec.ipVersion", "string", 0),
		col("SUBNET", ".spec.subnet", "string", 0),
		col("ALLOCATED-IP-COUNT", ".status.allocatedIPCount", "integer", 0),
		col("TOTAL-IP-COUNT", ".status.totalIPCount", "integer", 0),
	}
)

func wantCRDs() map[string]crdWant {
	return map[string]crdWant{
		"spiderippools.spiderpool.spidernet.io": {
			scope: apiextensionsv1.ClusterScoped, shortNames: []string{"sp"}, categories: spiderpoolCategory, status: true,
			columns: append(append([]apiextensionsv1.CustomResourceColumnDefinition{}, poolColumns...),
				col("DEFAULT", ".spec.default", "boolean", 0),
				col("DISABLE", ".spec.disable", "boolean", 10),
				col("NodeName", ".spec.nodeName", "string", 10),
				col("MultusName", ".spec.multusName", "string", 10),
				col("APP-NAMESPACE", `.spec.podAffinity.matchLabels['ipam\.spidernet\.io/app\-namespace']`, "string", 10),
			),
		},
		"spidersubnets.spiderpool.spidernet.io": {
			scope: apiextensionsv1.ClusterScoped, shortNames: []string{"ss"}, categories: spiderpoolCategory, status: true,
			columns: poolColumns,
		},
		"spiderreservedips.spiderpool.spidernet.io": {
			scope: apiextensionsv1.ClusterScoped, shortNames: []string{"sr"}, categories: spiderpoolCategory,
			columns: []apiextensionsv1.CustomResourceColumnDefinition{col("VERSION", ".spec.ipVersion", "string", 0)},
		},
		"spiderendpoints.spiderpool.spidernet.io": {
			scope: apiextensionsv1.NamespaceScoped, shortNames: []string{"se"}, categories: spiderpoolCategory,
			columns: []apiextensionsv1.CustomResourceColumnDefinition{
				col("INTERFACE", ".status.current.ips[0].interface", "string", 0),
				col("IPV4POOL", ".status.current.ips[0].ipv4Pool", "string", 0),
				col("IPV4", ".status.current.ips[0].ipv4", "string", 0),
				col("IPV6POOL", ".status.current.ips[0].ipv6Pool", "string", 0),
				col("IPV6", ".status.current.ips[0].ipv6", "string", 0),
				col("NODE", ".status.current.node", "string", 0),
			},
		},
		"spidermultusconfigs.spiderpool.spidernet.io": {
			scope: apiextensionsv1.NamespaceScoped, shortNames: []string{"smc"}, categories: spiderpoolCategory,
		},
		"spidercoordinators.spiderpool.spidernet.io": {
			scope: apiextensionsv1.ClusterScoped, shortNames: []string{"scc"}, categories: spiderpoolCategory, status: true,
		},
		// Ours, not Spiderpool's (docs/ipam.md, the claim storage).
		"spideripclaims.ipam.spiderpool-go.io": {
			scope: apiextensionsv1.ClusterScoped, shortNames: []string{"sic"}, categories: spiderpoolCategory,
			columns: []apiextensionsv1.CustomResourceColumnDefinition{
				col("POOL", ".spec.pool", "string", 0),
				col("IP", ".spec.ip", "string", 0),
				col("NAMESPACE", ".spec.podNamespace", "string", 0),
				col("POD", ".spec.podName", "string", 0),
				col("NODE", ".spec.node", "string", 0),
				col("NIC", ".spec.nic", "string", 10),
				col("ADOPTED", ".spec.adopted", "boolean", 10),
			},
		},
		"network-attachment-definitions.k8s.cni.cncf.io": {
			scope: apiextensionsv1.NamespaceScoped, shortNames: []string{"net-attach-def"},
		},
	}
}

// TestCRDsInstall checks that envtest installed one CRD per file in
// config/crd/bases and config/crd/nad, and exactly the expected ones.
func TestCRDsInstall(t *testing.T) {
	var installed []string
	for _, crd := range env.crds {
		installed = append(installed, crd.Name)
	}
	var want []string
	for name := range wantCRDs() {
		want = append(want, name)
	}
	sort.Strings(installed)
	sort.Strings(want)
	if diff := cmp.Diff(want, installed); diff != "" {
		t.Errorf("installed CRDs mismatch (-want +got):\n%s", diff)
	}
	files := 0
	for _, dir := range []string{"bases", "nad"} {
		entries, err := os.ReadDir(filepath.Join(env.root, "config", "crd", dir))
		if err != nil {
			t.Fatal(err)
		}
		files += len(entries)
	}
	if files != len(want) {
		t.Errorf("config/crd holds %d files, want one per CRD (%d)", files, len(want))
	}
}

// TestCRDShape reads each CRD back from the API server and checks scope,
// names, versions, the status subresource and the printer columns.
func TestCRDShape(t *testing.T) {
	for name, want := range wantCRDs() {
		t.Run(name, func(t *testing.T) {
			var crd apiextensionsv1.CustomResourceDefinition
			if err := env.client.Get(t.Context(), client.ObjectKey{Name: name}, &crd); err != nil {
				t.Fatal(err)
			}
			checkCRD(t, &crd, want)
		})
	}
}

func checkCRD(t *testing.T, crd *apiextensionsv1.CustomResourceDefinition, want crdWant) {
	t.Helper()
	if crd.Spec.Scope != want.scope {
		t.Errorf("scope = %s, want %s", crd.Spec.Scope, want.scope)
	}
	if diff := cmp.Diff(want.shortNames, crd.Spec.Names.ShortNames); diff != "" {
		t.Errorf("shortNames (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(want.categories, crd.Spec.Names.Categories); diff != "" {
		t.Errorf("categories (-want +got):\n%s", diff)
	}
	if len(crd.Spec.Versions) != 1 || !crd.Spec.Versions[0].Served || !crd.Spec.Versions[0].Storage {
		t.Fatalf("want exactly one served storage version, got %+v", crd.Spec.Versions)
	}
	v := crd.Spec.Versions[0]
	hasStatus := v.Subresources != nil && v.Subresources.Status != nil
	if hasStatus != want.status {
		t.Errorf("status subresource = %v, want %v", hasStatus, want.status)
	}
	var got []apiextensionsv1.CustomResourceColumnDefinition
	for _, c := range v.AdditionalPrinterColumns {
		got = append(got, col(c.Name, c.JSONPath, c.Type, c.Priority))
	}
	if diff := cmp.Diff(want.columns, got); diff != "" {
		t.Errorf("printer columns (-want +got):\n%s", diff)
	}
}
