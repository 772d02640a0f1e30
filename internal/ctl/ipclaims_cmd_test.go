// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package ctl

import (
	"context"
	"encoding/json"
	"fmt"
	"net/netip"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/envtest"

	ipamclaimsv1alpha1 "github.com/spiderpool-go/spiderpool/api/ipamclaims/v1alpha1"
	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
	"github.com/spiderpool-go/spiderpool/internal/claims"
	"github.com/spiderpool-go/spiderpool/test/utils"
)

// TestCheckIPClaims runs "check" on a real API server with the
// SpiderIPClaim CRD: a live pod's claim and record are clean, a dead pod's
// claim is a leak, a claim and a record of other pod UIDs disagree (a
// problem in the projector's own status, a note in a foreign one), and a
// client that does not know the kind checks as before.
func TestCheckIPClaims(t *testing.T) {
	e := newKenv(t)
	a := e.pod("a")
	pool := e.pool("p", "10.14.0.0/24", []string{"10.14.0.10-10.14.0.29"}, map[string][2]string{"10.14.0.10": {"a", string(a.UID)}})
	e.endpoint("a", string(a.UID), "Pod", "a", v4("eth0", "10.14.0.10/24", pool))
	e.ipClaim(pool, "10.14.0.10", "a", string(a.UID))
	e.markProjected(pool, true)
	var rep CheckReport
	e.runJSON(ExitOK, &rep, "check")
	if got := e.findings(rep); len(got) != 0 || rep.IPClaims == 0 {
		t.Fatalf("live pod's claim and record: findings %v, %d SpiderIPClaims", got, rep.IPClaims)
	}

	ghost := e.ipClaim(pool, "10.14.0.12", "ghost", "uid-ghost")
	e.runJSON(ExitProblems, &rep, "check")
	if diff := cmp.Diff([]string{"leaked-ipclaim 10.14.0.12 ghost"}, e.findings(rep)); diff != "" {
		t.Fatalf("dead pod's claim (-want +got):\n%s", diff)
	}
	if f := rep.Findings[0]; f.IPClaim != ghost || !strings.Contains(f.Detail, "kubectl delete spideripclaim "+ghost) {
		t.Errorf("leak finding does not name the claim %s and what to do: %+v", ghost, f)
	}

	// b's record names an older incarnation, its claim the live one.
	b := e.pod("b")
	e.setRecords(pool, map[string][2]string{"10.14.0.10": {"a", string(a.UID)}, "10.14.0.11": {"b", "uid-b-old"}})
	e.ipClaim(pool, "10.14.0.11", "b", string(b.UID))
	e.endpoint("b", string(b.UID), "Pod", "b", v4("eth0", "10.14.0.11/24", pool))
	e.markProjected(pool, true)
	e.runJSON(ExitProblems, &rep, "check")
	want := []string{"ipclaim-record-mismatch 10.14.0.11 b", "leaked-ipclaim 10.14.0.12 ghost", "leaked-record 10.14.0.11 b"}
	if diff := cmp.Diff(want, e.findings(rep)); diff != "" {
		t.Errorf("claim/record mismatch in the projector's status (-want +got):\n%s", diff)
	}
	e.markProjected(pool, false)
	e.runJSON(ExitProblems, &rep, "check")
	want = []string{"leaked-ipclaim 10.14.0.12 ghost", "leaked-record 10.14.0.11 b", "projection-pending 10.14.0.11 b"}
	if diff := cmp.Diff(want, e.findings(rep)); diff != "" {
		t.Errorf("claim/record mismatch in a foreign status (-want +got):\n%s", diff)
	}
	code, out, _ := e.run("check")
	if code != ExitProblems || !strings.Contains(out, "PROBLEM   leaked-ipclaim") || !strings.Contains(out, "SpiderIPClaims:") {
		t.Errorf("check table: exit %d\n%s", code, out)
	}

	// A client whose API server does not know the kind: check as before.
	c, err := client.NewWithWatch(apiServer.cfg, client.Options{Scheme: apiServer.client.Scheme()})
	if err != nil {
		t.Fatal(err)
	}
	noKind := &meta.NoKindMatchError{GroupKind: ipamclaimsv1alpha1.GroupVersion.WithKind("SpiderIPClaimList").GroupKind()}
	rep = e.checkWith(ipClaimListFails(c, noKind), ExitProblems)
	want = []string{"endpoint-without-record 10.14.0.11 b", "leaked-record 10.14.0.11 b"}
	if diff := cmp.Diff(want, e.findings(rep)); diff != "" || rep.IPClaims != 0 {
		t.Errorf("without the kind (-want +got):\n%s(%d SpiderIPClaims)", diff, rep.IPClaims)
	}
}

// TestCheckWithoutIPClaimCRD removes the SpiderIPClaim CRD from the API
// server (a Spiderpool cluster, or ours before the claim storage): "check"
// works as before, through a client that discovers the API anew (no kind)
// and through one that mapped the kind before the CRD went (NotFound).
func TestCheckWithoutIPClaimCRD(t *testing.T) {
	e := newKenv(t)
	a := e.pod("a")
	pool := e.pool("p", "10.15.0.0/24", []string{"10.15.0.10-10.15.0.29"}, map[string][2]string{
		"10.15.0.10": {"a", string(a.UID)}, "10.15.0.11": {"ghost", "uid-ghost"},
	})
	e.endpoint("a", string(a.UID), "Pod", "a", v4("eth0", "10.15.0.10/24", pool))
	mapped := e.newClient()
	if err := mapped.List(e.ctx(), &ipamclaimsv1alpha1.SpiderIPClaimList{}); err != nil {
		t.Fatal(err)
	}
	e.removeIPClaimCRD()
	for name, c := range map[string]client.Client{"fresh discovery": e.newClient(), "kind mapped before": mapped} {
		err := c.List(e.ctx(), &ipamclaimsv1alpha1.SpiderIPClaimList{})
		t.Logf("%s: list SpiderIPClaims: %v", name, err)
		if !meta.IsNoMatchError(err) && !apierrors.IsNotFound(err) {
			t.Fatalf("%s: list SpiderIPClaims without the CRD: %v, want no kind or NotFound", name, err)
		}
		rep := e.checkWith(c, ExitProblems)
		if diff := cmp.Diff([]string{"leaked-record 10.15.0.11 ghost"}, e.findings(rep)); diff != "" {
			t.Errorf("%s (-want +got):\n%s", name, diff)
		}
	}
}

// ipClaim creates the claim of ip in pool for pod name of uid, as an agent
// names and labels it, removed at the end of the test; it returns its name.
func (e *kenv) ipClaim(pool, ip, name, uid string) string {
	e.t.Helper()
	n, err := claims.Name(pool, netip.MustParseAddr(ip))
	if err != nil {
		e.t.Fatal(err)
	}
	c := &ipamclaimsv1alpha1.SpiderIPClaim{
		ObjectMeta: metav1.ObjectMeta{Name: n, Labels: claims.Labels(pool, uid)},
		Spec:       ipamclaimsv1alpha1.IPClaimSpec{Pool: pool, IP: ip, PodNamespace: e.ns, PodName: name, PodUID: uid, Node: "node1", NIC: "eth0"},
	}
	e.create(c)
	e.t.Cleanup(func() { _ = e.c.Delete(context.WithoutCancel(e.ctx()), c) })
	return n
}

// markProjected sets (own) or removes the projector's digest annotation of
// pool's current status.
func (e *kenv) markProjected(pool string, own bool) {
	e.t.Helper()
	p := &spiderpoolv2beta1.SpiderIPPool{}
	if err := e.c.Get(e.ctx(), client.ObjectKey{Name: pool}, p); err != nil {
		e.t.Fatal(err)
	}
	if p.Annotations == nil {
		p.Annotations = map[string]string{}
	}
	delete(p.Annotations, ipamclaimsv1alpha1.AnnoProjectedDigest)
	if own {
		p.Annotations[ipamclaimsv1alpha1.AnnoProjectedDigest] = claims.Digest(p.Status.AllocatedIPs)
	}
	if err := e.c.Update(e.ctx(), p); err != nil {
		e.t.Fatal(err)
	}
}

// checkWith runs "check -o json" through c, wants exit code want and
// returns the report.
func (e *kenv) checkWith(c client.Client, want int) CheckReport {
	e.t.Helper()
	code, out, errOut := e.runWith(c, "check", "-o", "json")
	if code != want {
		e.t.Fatalf("check: exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, want, out, errOut)
	}
	var rep CheckReport
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		e.t.Fatalf("check: decode %q: %v", out, err)
	}
	return rep
}

// newClient returns a client of its own (its own discovery) on the test's
// API server.
func (e *kenv) newClient() client.Client {
	e.t.Helper()
	c, err := client.New(apiServer.cfg, client.Options{Scheme: apiServer.client.Scheme()})
	if err != nil {
		e.t.Fatal(err)
	}
	return c
}

// removeIPClaimCRD deletes the SpiderIPClaim CRD, waits until it is gone
// and installs it again at the end of the test.
func (e *kenv) removeIPClaimCRD() {
	e.t.Helper()
	root, err := utils.ModuleRoot()
	if err != nil {
		e.t.Fatal(err)
	}
	opts := envtest.CRDInstallOptions{
		Paths:              []string{filepath.Join(root, "config", "crd", "bases", "ipam.spiderpool-go.io_spideripclaims.yaml")},
		ErrorIfPathMissing: true,
	}
	scheme := runtime.NewScheme()
	if err := apiextensionsv1.AddToScheme(scheme); err != nil {
		e.t.Fatal(err)
	}
	c, err := client.New(apiServer.cfg, client.Options{Scheme: scheme})
	if err != nil {
		e.t.Fatal(err)
	}
	crd := &apiextensionsv1.CustomResourceDefinition{ObjectMeta: metav1.ObjectMeta{Name: "spideripclaims." + ipamclaimsv1alpha1.GroupName}}
	if err := c.Delete(e.ctx(), crd); err != nil {
		e.t.Fatal(err)
	}
	e.t.Cleanup(func() {
		if _, err := envtest.InstallCRDs(apiServer.cfg, opts); err != nil {
			e.t.Errorf("install the SpiderIPClaim CRD again: %v", err)
		}
	})
	utils.Eventually(e.t, time.Minute, func() error {
		err := c.Get(e.ctx(), client.ObjectKeyFromObject(crd), crd)
		if apierrors.IsNotFound(err) {
			return nil
		}
		return fmt.Errorf("CRD %s still there (get: %w)", crd.Name, err)
	})
}
