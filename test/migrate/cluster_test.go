// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package migrate

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"testing"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"

	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
	"github.com/spiderpool-go/spiderpool/internal/config"
	"github.com/spiderpool-go/spiderpool/internal/ctl"
	"github.com/spiderpool-go/spiderpool/internal/ipam"
	"github.com/spiderpool-go/spiderpool/internal/ipam/ipamtest"
	"github.com/spiderpool-go/spiderpool/internal/store/kube"
	"github.com/spiderpool-go/spiderpool/test/fixtures"
	"github.com/spiderpool-go/spiderpool/test/utils"
)

// cluster is one test's own envtest API server with the fixture applied.
type cluster struct {
	t     *testing.T
	cfg   *rest.Config
	c     client.Client
	state *fixtures.State
	uids  fixtures.UIDs
	conf  config.ConfigMap
	// agents are the per-node IPAM services, by node name.
	agents map[string]*ipam.Service
}

// newCluster starts an API server with our CRDs and applies the fixture
// (mutate, when not nil, changes the state first).
func newCluster(t *testing.T, mutate func(*fixtures.State)) *cluster {
	t.Helper()
	env, err := utils.NewEnvtest(ipamtest.Scheme())
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := env.Start()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := env.Stop(); err != nil {
			t.Errorf("stop envtest: %v", err)
		}
	})
	c, err := client.New(cfg, client.Options{Scheme: ipamtest.Scheme()})
	if err != nil {
		t.Fatal(err)
	}
	state, err := fixtures.LoadSpiderpool106()
	if err != nil {
		t.Fatal(err)
	}
	if mutate != nil {
		mutate(state)
	}
	uids, err := state.Apply(t.Context(), c, fixtures.ApplyOptions{})
	if err != nil {
		t.Fatal(err)
	}
	cl := &cluster{t: t, cfg: cfg, c: c, state: state, uids: uids, agents: map[string]*ipam.Service{}}
	cl.conf, err = config.ParseConfigMap([]byte(state.ConfigMaps[0].Object["data"].(map[string]any)["conf.yml"].(string)))
	if err != nil {
		t.Fatal(err)
	}
	return cl
}

// agent returns the IPAM service of node, as its agent runs it: the
// ConfigMap's switches, the chart's environment, the kube store, its own
// cache-less client, restored from the API server.
func (cl *cluster) agent(node string) *ipam.Service {
	cl.t.Helper()
	if svc, ok := cl.agents[node]; ok {
		return svc
	}
	c, err := client.New(rest.CopyConfig(cl.cfg), client.Options{Scheme: ipamtest.Scheme()})
	if err != nil {
		cl.t.Fatal(err)
	}
	svc, err := ipam.New(ipam.Config{
		EnableIPv4: cl.conf.EnableIPv4, EnableIPv6: cl.conf.EnableIPv6, EnableStatefulSet: cl.conf.EnableStatefulSet,
		EnableKubevirtStaticIP: cl.conf.EnableKubevirtStaticIP, EnableSpiderSubnet: cl.conf.EnableSpiderSubnet,
		EnableAutoPoolForApplication: cl.conf.EnableAutoPoolForApplication,
		NodeName:                     node, AgentNamespace: "kube-system",
	}, ipam.Deps{Cache: c, API: c, Store: kube.New(c)})
	if err != nil {
		cl.t.Fatal(err)
	}
	if err := svc.Restore(cl.t.Context()); err != nil {
		cl.t.Fatal(err)
	}
	cl.agents[node] = svc
	return svc
}

// pod reads pod fx/name.
func (cl *cluster) pod(name string) *corev1.Pod {
	cl.t.Helper()
	p := &corev1.Pod{}
	if err := cl.c.Get(cl.t.Context(), client.ObjectKey{Namespace: "fx", Name: name}, p); err != nil {
		cl.t.Fatal(err)
	}
	return p
}

// poolState is a pool's records, each as the raw JSON value written, and
// its resourceVersion.
type poolState struct {
	rv      string
	raw     string
	records map[string]json.RawMessage
}

func (cl *cluster) pools() map[string]poolState {
	cl.t.Helper()
	var list spiderpoolv2beta1.SpiderIPPoolList
	if err := cl.c.List(cl.t.Context(), &list); err != nil {
		cl.t.Fatal(err)
	}
	out := map[string]poolState{}
	for _, p := range list.Items {
		st := poolState{rv: p.ResourceVersion, records: map[string]json.RawMessage{}}
		if p.Status.AllocatedIPs != nil {
			st.raw = *p.Status.AllocatedIPs
			if err := json.Unmarshal([]byte(st.raw), &st.records); err != nil {
				cl.t.Fatalf("pool %s: %v", p.Name, err)
			}
		}
		if n := int64(len(st.records)); p.Status.AllocatedIPCount == nil || *p.Status.AllocatedIPCount != n {
			cl.t.Errorf("pool %s: allocatedIPCount %v for %d records", p.Name, p.Status.AllocatedIPCount, n)
		}
		out[p.Name] = st
	}
	return out
}

// endpointVersions returns every endpoint's resourceVersion, by name.
func (cl *cluster) endpointVersions() map[string]string {
	cl.t.Helper()
	var list spiderpoolv2beta1.SpiderEndpointList
	if err := cl.c.List(cl.t.Context(), &list); err != nil {
		cl.t.Fatal(err)
	}
	out := map[string]string{}
	for _, ep := range list.Items {
		out[ep.Namespace+"/"+ep.Name] = ep.ResourceVersion
	}
	return out
}

// sameRecords reports the records of before that after changed or lost,
// except those of skip (pool -> ip), comparing the raw JSON byte for byte.
func sameRecords(t *testing.T, what string, before, after map[string]poolState, skip map[string]map[string]bool) {
	t.Helper()
	for pool, b := range before {
		for ip, raw := range b.records {
			if skip[pool][ip] {
				continue
			}
			if got, ok := after[pool].records[ip]; !ok || !bytes.Equal(got, raw) {
				t.Errorf("%s: pool %s record %s = %s, want %s unchanged", what, pool, ip, got, raw)
			}
		}
	}
}

// runCtl runs spiderpoolctl against the cluster and returns its exit code
// and output.
func (cl *cluster) runCtl(args ...string) (int, string, string) {
	var out, errOut bytes.Buffer
	code := ctl.Main(cl.t.Context(), args, ctl.Env{Out: &out, Err: &errOut,
		NewClient: func(string) (client.Client, error) {
			s, err := ctl.Scheme()
			if err != nil {
				return nil, err
			}
			return client.New(cl.cfg, client.Options{Scheme: s})
		}})
	return code, out.String(), errOut.String()
}

// checkReport runs a check verb with -o json.
func (cl *cluster) checkReport(verb ...string) (int, ctl.CheckReport) {
	cl.t.Helper()
	code, out, errOut := cl.runCtl(append(verb, "-o", "json")...)
	var rep ctl.CheckReport
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		cl.t.Fatalf("%v: exit %d, %v\nstdout: %s\nstderr: %s", verb, code, err, out, errOut)
	}
	return code, rep
}

// readBack returns the object as the API server holds it, unstructured.
func (cl *cluster) readBack(u *unstructured.Unstructured) *unstructured.Unstructured {
	cl.t.Helper()
	got := &unstructured.Unstructured{}
	got.SetGroupVersionKind(u.GroupVersionKind())
	if err := cl.c.Get(context.WithoutCancel(cl.t.Context()), client.ObjectKeyFromObject(u), got); err != nil {
		cl.t.Fatal(fmt.Errorf("read back %s %s: %w", u.GetKind(), u.GetName(), err))
	}
	return got
}
