// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package quarantine_test

import (
	"errors"
	"flag"
	"net/netip"
	"os"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"

	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
	"github.com/spiderpool-go/spiderpool/internal/ipam/ipamtest"
	"github.com/spiderpool-go/spiderpool/internal/quarantine"
	"github.com/spiderpool-go/spiderpool/test/utils"
)

// api is the envtest API server's client, set in TestMain.
var api client.Client

func TestMain(m *testing.M) {
	flag.Parse()
	if f := flag.Lookup("test.fuzz"); f != nil && f.Value.String() != "" {
		os.Exit(m.Run()) // FuzzParse is pure
	}
	os.Exit(utils.RunWithEnvtest(m, ipamtest.Scheme(), func(cfg *rest.Config) (err error) {
		api, err = client.New(cfg, client.Options{Scheme: ipamtest.Scheme()})
		return err
	}))
}

func newPool(t *testing.T, name, subnet, ips string) {
	t.Helper()
	v := int64(4)
	pool := &spiderpoolv2beta1.SpiderIPPool{ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec: spiderpoolv2beta1.IPPoolSpec{IPVersion: &v, Subnet: subnet, IPs: []string{ips}}}
	if err := api.Create(t.Context(), pool); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = api.Delete(t.Context(), pool) })
}

// TestStore: records survive on the pool (another client sees them), a
// second answer keeps Since, and Remove waits for a quiet period.
func TestStore(t *testing.T) {
	newPool(t, "q-a", "10.250.87.0/24", "10.250.87.10-10.250.87.20")
	newPool(t, "q-b", "10.250.88.0/24", "10.250.88.10-10.250.88.20")
	s := quarantine.Store{Client: api}
	ctx := t.Context()
	t0 := time.Date(2026, 12, 4, 8, 0, 0, 0, time.UTC)
	ip := netip.MustParseAddr("10.250.87.10")
	rec := quarantine.Record{Reason: quarantine.ReasonConflict, MAC: "02:00:00:00:00:01", Pod: "d/p1", Node: "n1", Since: t0, LastAnswer: t0}
	if err := s.Add(ctx, "q-a", ip, rec); err != nil {
		t.Fatal(err)
	}
	later := rec
	later.Pod, later.Since, later.LastAnswer = "d/p2", t0.Add(time.Hour), t0.Add(time.Hour)
	if err := s.Add(ctx, "q-a", ip, later); err != nil {
		t.Fatal(err)
	}
	if err := s.Add(ctx, "q-b", netip.MustParseAddr("10.250.88.11"), rec); err != nil {
		t.Fatal(err)
	}
	entries, err := quarantine.Store{Client: api}.List(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 2 || entries[0].Pool != "q-a" || entries[0].IP != ip || !entries[0].Since.Equal(t0) ||
		!entries[0].LastAnswer.Equal(t0.Add(time.Hour)) || entries[0].Pod != "d/p2" {
		t.Fatalf("entries %+v, want q-a's record with the first Since and the last answer, then q-b's", entries)
	}

	_, err = s.Remove(ctx, ip, t0.Add(time.Hour+time.Minute), 10*time.Minute)
	if !errors.Is(err, quarantine.ErrStillAnswers) || !strings.Contains(err.Error(), "02:00:00:00:00:01") {
		t.Fatalf("Remove within the quiet period: %v, want ErrStillAnswers naming the MAC", err)
	}
	if _, err := s.Remove(ctx, ip, t0.Add(2*time.Hour), 10*time.Minute); err != nil {
		t.Fatalf("Remove after the quiet period: %v", err)
	}
	if _, err := s.Remove(ctx, ip, t0.Add(2*time.Hour), 0); !errors.Is(err, quarantine.ErrNotQuarantined) {
		t.Fatalf("Remove again: %v, want ErrNotQuarantined", err)
	}
	pool := &spiderpoolv2beta1.SpiderIPPool{}
	if err := api.Get(ctx, client.ObjectKey{Name: "q-a"}, pool); err != nil {
		t.Fatal(err)
	}
	if _, ok := pool.Annotations[quarantine.Annotation]; ok {
		t.Errorf("annotation left on q-a: %v", pool.Annotations)
	}
}
