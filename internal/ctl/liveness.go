// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package ctl

import (
	"context"
	"fmt"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/spiderpool-go/spiderpool/internal/config"
	"github.com/spiderpool-go/spiderpool/internal/gc"
)

// Where the chart installs the ConfigMap spiderpool-conf.
const (
	DefaultConfigMapNamespace = "kube-system"
	DefaultConfigMapName      = "spiderpool-conf"
)

// configKey is the ConfigMap key holding conf.yml.
const configKey = "conf.yml"

// judgeFunc is the GC's decision on one incarnation.
type judgeFunc func(ctx context.Context, inc incarnation) (gc.Judgement, error)

// judges memoises a judgeFunc: one incarnation is judged once per command.
type judges struct {
	judge judgeFunc
	seen  map[incarnation]gc.Judgement
}

func newJudges(judge judgeFunc) *judges {
	return &judges{judge: judge, seen: map[incarnation]gc.Judgement{}}
}

func (j *judges) of(ctx context.Context, inc incarnation) (gc.Judgement, error) {
	if v, ok := j.seen[inc]; ok {
		return v, nil
	}
	v, err := j.judge(ctx, inc)
	if err != nil {
		return gc.Judgement{}, fmt.Errorf("judge %s (uid %s): %w", inc.pod(), inc.UID, err)
	}
	j.seen[inc] = v
	return v, nil
}

// all judges every incarnation of incs, stopping at the first error.
func (j *judges) all(ctx context.Context, incs []incarnation) error {
	for _, inc := range incs {
		if _, err := j.of(ctx, inc); err != nil {
			return err
		}
	}
	return nil
}

// gcJudge judges with the GC's decision table on reads from r.
func gcJudge(opts gc.Options, r client.Reader, now func() time.Time) judgeFunc {
	return func(ctx context.Context, inc incarnation) (gc.Judgement, error) {
		return gc.Judge(ctx, opts, r, inc.Namespace, inc.Name, inc.UID, now())
	}
}

// LoadGCOptions returns the GC options the controller runs with, as far as
// the CLI can know them: the ConfigMap cm's conf.yml when it exists
// (enableStatefulSet, enableKubevirtStaticIP), else the chart's defaults
// (both true); the SPIDERPOOL_GC_* switches at their defaults (the
// controller's environment is not readable from here).
func LoadGCOptions(ctx context.Context, r client.Reader, cm client.ObjectKey) (gc.Options, error) {
	env, err := config.ParseControllerEnv(controllerDefaults(cm.Namespace))
	if err != nil {
		return gc.Options{}, fmt.Errorf("GC defaults: %w", err)
	}
	conf := config.ConfigMap{EnableStatefulSet: true, EnableKubevirtStaticIP: true}
	obj := &corev1.ConfigMap{}
	err = r.Get(ctx, cm, obj)
	switch {
	case apierrors.IsNotFound(err) || apierrors.IsForbidden(err):
		// not installed there, or not readable: the chart's defaults stand
	case err != nil:
		return gc.Options{}, fmt.Errorf("read ConfigMap %s: %w", cm, err)
	case obj.Data[configKey] == "":
		// no conf.yml: the chart's defaults stand
	default:
		if conf, err = config.ParseConfigMap([]byte(obj.Data[configKey])); err != nil {
			return gc.Options{}, fmt.Errorf("ConfigMap %s: %w", cm, err)
		}
	}
	return gc.NewOptions(env.GC, conf), nil
}

// controllerDefaults is an environment with only the variables the
// controller's parser requires, so that every GC setting takes its
// default.
func controllerDefaults(namespace string) config.LookupFunc {
	return func(name string) (string, bool) {
		switch name {
		case config.EnvPodNamespace:
			return namespace, true
		case config.EnvPodName:
			return "spiderpoolctl", true
		}
		return "", false
	}
}
