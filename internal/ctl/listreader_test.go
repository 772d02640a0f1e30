// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package ctl

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/spiderpool-go/spiderpool/internal/gc"
)

// TestListReaderAgreesWithAPI judges incarnations of every kind once on
// reads from the API server and once on the lists "check" uses: the
// verdicts must be the same.
func TestListReaderAgreesWithAPI(t *testing.T) {
	e := newKenv(t)
	alive := e.pod("alive")
	terminating := e.pod("terminating", func(p *corev1.Pod) { p.Finalizers = []string{"test.spidernet.io/hold"} })
	if err := e.c.Delete(e.ctx(), terminating); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = e.c.Patch(t.Context(), terminating, client.RawPatch(types.MergePatchType, []byte(`{"metadata":{"finalizers":null}}`)))
	})
	e.create(&appsv1.StatefulSet{
		ObjectMeta: metav1.ObjectMeta{Namespace: e.ns, Name: "db"},
		Spec: appsv1.StatefulSetSpec{
			Replicas: ptr.To[int32](1), Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": "db"}},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{"app": "db"}},
				Spec:       corev1.PodSpec{Containers: []corev1.Container{{Name: "c", Image: "pause"}}},
			},
		},
	})
	e.endpoint("db-0", "uid-db-0", "StatefulSet", "db", v4("eth0", "10.16.0.10/24", "p"))
	e.endpoint("db-1", "uid-db-1", "StatefulSet", "db", v4("eth0", "10.16.0.11/24", "p"))
	e.endpoint("alive", string(alive.UID), "Pod", "alive", v4("eth0", "10.16.0.12/24", "p"))

	opts, err := LoadGCOptions(e.ctx(), e.c, client.ObjectKey{Namespace: DefaultConfigMapNamespace, Name: DefaultConfigMapName})
	if err != nil {
		t.Fatal(err)
	}
	snap, err := LoadSnapshot(e.ctx(), e.c)
	if err != nil {
		t.Fatal(err)
	}
	lists, err := newListReader(e.ctx(), e.c, snap)
	if err != nil {
		t.Fatal(err)
	}
	now := func() time.Time { return time.Now().Add(time.Hour) } // every grace period over
	incs := []incarnation{
		{e.ns, "alive", string(alive.UID)}, {e.ns, "alive", "uid-old"}, {e.ns, "terminating", string(terminating.UID)},
		{e.ns, "db-0", "uid-db-0"}, {e.ns, "db-1", "uid-db-1"}, {e.ns, "ghost", "uid-ghost"},
	}
	var fromAPI, fromLists []gc.Judgement
	for _, inc := range incs {
		for _, side := range []struct {
			r   client.Reader
			out *[]gc.Judgement
		}{{e.c, &fromAPI}, {lists, &fromLists}} {
			v, err := gcJudge(opts, side.r, now)(e.ctx(), inc)
			if err != nil {
				t.Fatalf("judge %v: %v", inc, err)
			}
			*side.out = append(*side.out, v)
		}
	}
	if diff := cmp.Diff(fromAPI, fromLists); diff != "" {
		t.Errorf("verdicts (-API +lists):\n%s", diff)
	}
	if !fromAPI[0].HolderAlive || !fromAPI[1].Release || !fromAPI[3].KeptForSuccessor || !fromAPI[4].Release || !fromAPI[5].Release {
		t.Errorf("unexpected verdicts: %+v", fromAPI)
	}
}
