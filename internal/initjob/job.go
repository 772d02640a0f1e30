// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package initjob

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/go-logr/logr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/spiderpool-go/spiderpool/internal/config"
)

// Defaults of [Job].
const (
	// DefaultInterval is Spiderpool's gap between polls and retries.
	DefaultInterval = 2 * time.Second
	// DefaultCreateTimeout bounds the creation of all the objects,
	// retries included.
	DefaultCreateTimeout = 5 * time.Minute
)

// Job is one run of spiderpool-init.
type Job struct {
	// Client talks to the API server; its scheme knows the core and
	// Spiderpool types.
	Client client.Client
	// Env is the parsed environment.
	Env config.InitEnv
	// Interval is the gap between polls of the controller Endpoints and
	// between retries of a create (DefaultInterval when 0).
	Interval time.Duration
	// CreateTimeout bounds the creation of all the objects, retries
	// included (DefaultCreateTimeout when 0). Waiting for the controller is
	// bounded by the context only: the Job's own deadline decides how long
	// an install may take.
	CreateTimeout time.Duration
}

// Run builds and checks the default objects, waits for the controller,
// creates the objects and writes the readiness file. Bad input fails before
// anything is waited for or created, with an error naming the variable.
func (j *Job) Run(ctx context.Context) error {
	objs, err := j.objects(ctx)
	if err != nil {
		return err
	}
	if err := j.waitForController(ctx); err != nil {
		return err
	}
	if err := j.createAll(ctx, objs); err != nil {
		return err
	}
	return j.writeReadiness(ctx)
}

// objects returns the objects to create, in order, checked with the
// webhooks' rules.
func (j *Job) objects(ctx context.Context) ([]desired, error) {
	env := &j.Env
	var objs []desired
	if env.Coordinator != nil {
		objs = append(objs, coordinator(env.Coordinator))
	}
	objs = append(objs, addressObjects(env)...)
	if env.EnableMultusConfig {
		smc, err := multusConfig(env)
		if err != nil {
			return nil, err
		}
		logr.FromContextOrDiscard(ctx).Info("default SpiderMultusConfig chosen",
			"name", smc.desired.obj.GetName(), "namespace", smc.desired.obj.GetNamespace(), "from", smc.source)
		objs = append(objs, smc.desired)
	}
	subnetsOn := (env.IPv4 != nil && env.IPv4.SubnetName != "") || (env.IPv6 != nil && env.IPv6.SubnetName != "")
	if err := validateAll(objs, subnetsOn); err != nil {
		return nil, err
	}
	return objs, nil
}

// writeReadiness creates the readiness file and its directory.
func (j *Job) writeReadiness(ctx context.Context) error {
	file := j.Env.ReadinessFile
	if file == "" {
		file = config.DefaultReadinessFile
	}
	if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
		return fmt.Errorf("readiness file: %w", err)
	}
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		return fmt.Errorf("readiness file: %w", err)
	}
	logr.FromContextOrDiscard(ctx).Info("spiderpool-init done", "readinessFile", file)
	return nil
}

// interval returns Interval or its default.
func (j *Job) interval() time.Duration {
	if j.Interval > 0 {
		return j.Interval
	}
	return DefaultInterval
}

// createTimeout returns CreateTimeout or its default.
func (j *Job) createTimeout() time.Duration {
	if j.CreateTimeout > 0 {
		return j.CreateTimeout
	}
	return DefaultCreateTimeout
}
