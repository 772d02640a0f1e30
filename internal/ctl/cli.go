// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package ctl

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"k8s.io/apimachinery/pkg/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/tools/clientcmd"
	"sigs.k8s.io/controller-runtime/pkg/client"

	ipamclaimsv1alpha1 "github.com/spiderpool-go/spiderpool/api/ipamclaims/v1alpha1"
	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
	"github.com/spiderpool-go/spiderpool/internal/quarantine"
)

// Exit codes of spiderpoolctl.
const (
	ExitOK       = 0 // clean, or done
	ExitProblems = 1 // check found problems, or a release was refused
	ExitError    = 2 // bad arguments, or an error reading or writing
)

// ErrProblems is returned by "check" when it found problems.
var ErrProblems = errors.New("problems found")

// NewClientFunc returns a client for the kubeconfig path ("" means the
// usual rules: KUBECONFIG, ~/.kube/config, in-cluster).
type NewClientFunc func(kubeconfig string) (client.Client, error)

// Env is what Main runs against: its output streams, its client factory
// and its clock.
type Env struct {
	// Out receives reports.
	Out io.Writer
	// Err receives errors and usage.
	Err io.Writer
	// NewClient builds the client; NewClient when nil.
	NewClient NewClientFunc
	// Now is the clock; time.Now when nil.
	Now func() time.Time
}

// Main runs spiderpoolctl with args (without the program name) and returns
// the exit code.
func Main(ctx context.Context, args []string, env Env) int {
	if env.NewClient == nil {
		env.NewClient = NewClient
	}
	if env.Now == nil {
		env.Now = time.Now
	}
	root := newRoot(&env)
	root.SetArgs(args)
	err := root.ExecuteContext(ctx)
	switch {
	case err == nil:
		return ExitOK
	case errors.Is(err, ErrProblems):
		return ExitProblems
	case errors.Is(err, ErrHolderAlive), errors.Is(err, quarantine.ErrStillAnswers):
		reportError(env.Err, err)
		return ExitProblems
	}
	reportError(env.Err, err)
	return ExitError
}

// reportError prints err on stderr. A failed write is not reported: stderr
// is where it would go, and the exit code already says the run failed.
func reportError(w io.Writer, err error) {
	_, _ = fmt.Fprintln(w, "Error:", err)
}

// NewClient returns a controller-runtime client with the Kubernetes and
// Spiderpool types, configured from kubeconfig or, when empty, from
// KUBECONFIG, ~/.kube/config or the in-cluster service account.
func NewClient(kubeconfig string) (client.Client, error) {
	rules := clientcmd.NewDefaultClientConfigLoadingRules()
	rules.ExplicitPath = kubeconfig
	cfg, err := clientcmd.NewNonInteractiveDeferredLoadingClientConfig(rules, &clientcmd.ConfigOverrides{}).ClientConfig()
	if err != nil {
		return nil, fmt.Errorf("load kubeconfig: %w", err)
	}
	scheme, err := Scheme()
	if err != nil {
		return nil, err
	}
	c, err := client.New(cfg, client.Options{Scheme: scheme})
	if err != nil {
		return nil, fmt.Errorf("new client: %w", err)
	}
	return c, nil
}

// Scheme returns the types spiderpoolctl reads.
func Scheme() (*runtime.Scheme, error) {
	s := runtime.NewScheme()
	if err := clientgoscheme.AddToScheme(s); err != nil {
		return nil, fmt.Errorf("scheme: %w", err)
	}
	if err := spiderpoolv2beta1.AddToScheme(s); err != nil {
		return nil, fmt.Errorf("scheme: %w", err)
	}
	if err := ipamclaimsv1alpha1.AddToScheme(s); err != nil {
		return nil, fmt.Errorf("scheme: %w", err)
	}
	return s, nil
}
