// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package ctl

import (
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"

	"github.com/spiderpool-go/spiderpool/test/fixtures"
)

// fixtureClient returns a fake client holding the Spiderpool v1.0.6
// fixture's final state (recorded UIDs kept), changed by mutate, plus
// extra objects.
func fixtureClient(t *testing.T, mutate func(*fixtures.State), extra ...client.Object) client.Client {
	t.Helper()
	st, err := fixtures.LoadSpiderpool106()
	if err != nil {
		t.Fatal(err)
	}
	if mutate != nil {
		mutate(st)
	}
	scheme, err := Scheme()
	if err != nil {
		t.Fatal(err)
	}
	objs, err := fixtures.Typed(scheme, st.Final())
	if err != nil {
		t.Fatal(err)
	}
	return fake.NewClientBuilder().WithScheme(scheme).WithObjects(append(objs, extra...)...).Build()
}

// migrateCheck runs "migrate check -o json" on c.
func migrateCheck(t *testing.T, c client.Client, args ...string) (int, CheckReport) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := Main(t.Context(), append([]string{"migrate", "check", "-o", "json"}, args...), Env{
		Out: &out, Err: &errOut, Now: func() time.Time { return time.Date(2026, 12, 4, 1, 0, 0, 0, time.UTC) },
		NewClient: func(string) (client.Client, error) { return c, nil },
	})
	var rep CheckReport
	if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
		t.Fatalf("exit %d: %v\nstdout: %s\nstderr: %s", code, err, out.String(), errOut.String())
	}
	return code, rep
}

// kinds returns "kind pool ip pod" of every finding, sorted.
func kinds(rep CheckReport) []string {
	var out []string
	for _, f := range rep.Findings {
		out = append(out, strings.TrimSpace(strings.Join([]string{string(f.Kind), f.Pool, f.IP, f.Pod}, " ")))
	}
	slices.Sort(out)
	return out
}

// helmRelease is a release Secret as Helm v3 stores it.
func helmRelease(t *testing.T, name, home string, hooks ...HelmHook) *corev1.Secret {
	t.Helper()
	rel := HelmRelease{Name: name, Namespace: "kube-system", Version: 3, Hooks: hooks}
	rel.Chart.Metadata.Name, rel.Chart.Metadata.Version, rel.Chart.Metadata.Home = "spiderpool", "1.0.6", home
	data, err := json.Marshal(rel)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write(data); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Namespace: "kube-system", Name: "sh.helm.release.v1." + name + ".v3",
			Labels: map[string]string{"owner": "helm", "status": "deployed", "name": name, "version": "3"}},
		Type: "helm.sh/release.v1",
		Data: map[string][]byte{"release": []byte(base64.StdEncoding.EncodeToString(buf.Bytes()))},
	}
}

var preDelete = HelmHook{Name: "spiderpool-controller-hook-pre-delete", Kind: "Job", Events: []string{"pre-delete"}}

func TestMigrateCheckFixture(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(*fixtures.State)
		extra  []client.Object
		args   []string
		code   int
		want   []string
	}{
		{name: "as Spiderpool left it, no Helm release", code: ExitOK, want: []string{"no-helm-release"}},
		{name: "Spiderpool release with its cleanup hook", extra: []client.Object{helmRelease(t, "spiderpool", "https://spidernet-io.github.io/spiderpool", preDelete)},
			code: ExitProblems, want: []string{"cleanup-hook"}},
		{name: "Spiderpool release with cleanup.enable=false", extra: []client.Object{helmRelease(t, "spiderpool", "")}, code: ExitOK},
		{name: "our release's hook is a note", code: ExitOK, want: []string{"no-helm-release", "own-cleanup-hook"},
			extra: []client.Object{helmRelease(t, "ours", "https://github.com/spiderpool-go/spiderpool", preDelete)}},
		{name: "mnic-2 between its two ADDs, web-3 and web-7 before garbage collection", mutate: useTransient, code: ExitProblems,
			want: []string{"no-helm-release", "stale-endpoint   fx/web-3", "stale-endpoint   fx/web-7", "unnamed-nic   fx/mnic-2"}},
		{name: "pools over the limit", args: []string{"--max-allocated-ips", "18"}, code: ExitProblems,
			want: []string{"no-helm-release", "pool-over-limit fx-v4", "pool-over-limit fx-v6"}},
		{name: "allocatedIPCount drifted (before v1.0)", mutate: setCount("fx-v4-b", 41), code: ExitOK,
			want: []string{"count-drift fx-v4-b", "no-helm-release"}},
		{name: "pod gone", mutate: dropPod("solo-1"), code: ExitProblems,
			want: []string{"leaked-record fx-v4 10.77.0.24 fx/solo-1", "leaked-record fx-v6 fd00:77::1e fx/solo-1", "no-helm-release"}},
		{name: "address in two pools", mutate: addRecord("fx-v4-b", "10.77.0.11", "fx/db-0", "1ee84591-1829-4d89-ac6c-789c9a0d8d1f"),
			code: ExitProblems, want: []string{"count-drift fx-v4-b", "duplicate-record fx-v4 10.77.0.11 fx/db-0", "duplicate-record fx-v4-b 10.77.0.11 fx/db-0", "no-helm-release",
				"record-without-endpoint fx-v4-b 10.77.0.11 fx/db-0"}},
		{name: "endpoint and records disagree", mutate: setEndpointIPv4("solo-3", "10.77.0.99/24"), code: ExitProblems,
			want: []string{"endpoint-without-record fx-v4 10.77.0.99 fx/solo-3", "no-helm-release", "record-without-endpoint fx-v4 10.77.0.26 fx/solo-3"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, rep := migrateCheck(t, fixtureClient(t, tt.mutate, tt.extra...), tt.args...)
			if got := kinds(rep); code != tt.code || !slices.Equal(got, tt.want) {
				t.Errorf("exit %d, findings %q; want exit %d, %q\n%+v", code, got, tt.code, tt.want, rep.Findings)
			}
			if rep.Pools != 3 || rep.Endpoints < 19 {
				t.Errorf("checked %d pools, %d endpoints", rep.Pools, rep.Endpoints)
			}
		})
	}
}

// useTransient replaces mnic-2's endpoint by its version between its two
// ADDs and adds web-3's and web-7's after their DEL.
func useTransient(st *fixtures.State) {
	for i, ep := range st.Endpoints {
		if ep.GetName() == "mnic-2" {
			st.Endpoints[i] = fixtures.Find(st.Transient, "fx", "mnic-2")
		}
	}
	st.Endpoints = append(st.Endpoints, fixtures.Find(st.Transient, "fx", "web-3"), fixtures.Find(st.Transient, "fx", "web-7"))
}

func dropPod(name string) func(*fixtures.State) {
	return func(st *fixtures.State) {
		st.Pods = slices.DeleteFunc(st.Pods, func(u *unstructured.Unstructured) bool { return u.GetName() == name })
	}
}

func addRecord(pool, ip, pod, uid string) func(*fixtures.State) {
	return func(st *fixtures.State) {
		p := fixtures.Find(st.Pools, "", pool)
		recs, _, _ := unstructured.NestedString(p.Object, "status", "allocatedIPs")
		recs = strings.TrimSuffix(recs, "}") + `,"` + ip + `":{"pod":"` + pod + `","podUid":"` + uid + `"}}`
		_ = unstructured.SetNestedField(p.Object, recs, "status", "allocatedIPs")
	}
}

func setCount(pool string, n int64) func(*fixtures.State) {
	return func(st *fixtures.State) {
		_ = unstructured.SetNestedField(fixtures.Find(st.Pools, "", pool).Object, n, "status", "allocatedIPCount")
	}
}

func setEndpointIPv4(name, cidr string) func(*fixtures.State) {
	return func(st *fixtures.State) {
		ep := fixtures.Find(st.Endpoints, "fx", name)
		ips, _, _ := unstructured.NestedSlice(ep.Object, "status", "current", "ips")
		ips[0].(map[string]any)["ipv4"] = cidr
		_ = unstructured.SetNestedSlice(ep.Object, ips, "status", "current", "ips")
	}
}

// TestMigrateCheckHelmReleaseErrors: a release that does not decode is
// reported as unreadable, and a ConfigMap-stored release is read.
func TestMigrateCheckHelmReleaseErrors(t *testing.T) {
	bad := helmRelease(t, "broken", "")
	bad.Data["release"] = []byte("not base64!")
	cmRel := helmRelease(t, "in-cm", "", preDelete)
	cm := &corev1.ConfigMap{ObjectMeta: cmRel.ObjectMeta, Data: map[string]string{"release": string(cmRel.Data["release"])}}
	code, rep := migrateCheck(t, fixtureClient(t, nil, bad, cm))
	got := kinds(rep)
	if code != ExitProblems || !slices.Equal(got, []string{"cleanup-hook"}) {
		t.Errorf("exit %d, findings %q", code, got)
	}
	code, rep = migrateCheck(t, fixtureClient(t, nil, bad))
	if code != ExitOK || len(rep.Findings) != 1 || !strings.Contains(rep.Findings[0].Detail, "not readable") {
		t.Errorf("exit %d, findings %+v", code, rep.Findings)
	}
}

// FuzzDecodeRelease: any stored release data decodes or fails with an
// error; it never panics.
func FuzzDecodeRelease(f *testing.F) {
	f.Add([]byte(helmRelease(&testing.T{}, "spiderpool", "", preDelete).Data["release"]))
	f.Add([]byte("e30="))
	f.Add([]byte("H4sI"))
	f.Fuzz(func(_ *testing.T, data []byte) {
		_, _ = decodeRelease(data)
	})
}
