// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package coordinator

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/containernetworking/cni/pkg/skel"
	"github.com/containernetworking/cni/pkg/types"
	"github.com/containernetworking/cni/pkg/version"

	"github.com/spiderpool-go/spiderpool/internal/agentapi"
	"github.com/spiderpool-go/spiderpool/internal/cni/netconf"
)

// About is printed when the binary runs without CNI_COMMAND.
const About = "coordinator: chained CNI plugin that connects underlay pods to their node and tunes their routes (spiderpool-go)"

// Client is what the plugin needs of the agent; *agentapi.Client has it.
type Client interface {
	CoordinatorConfig(ctx context.Context, req *agentapi.CoordinatorRequest) (*agentapi.CoordinatorConfig, error)
}

var _ Client = (*agentapi.Client)(nil)

// Plugin implements the CNI commands. Build it with [New]; tests replace
// the fields.
type Plugin struct {
	// NewClient returns the agent client for a socket path.
	NewClient func(socketPath string) Client
	// SocketPath is the agent's socket. Like Spiderpool's coordinator, the
	// plugin always uses the node's default socket (moved only by
	// SPIDERPOOL_CNI_ROOT, for labs).
	SocketPath string
	// Stdout receives the result of ADD.
	Stdout io.Writer
	// Stderr receives what the plugin could not do but did not fail for:
	// an announcement after a MAC change, a DEL with a bad config.
	Stderr io.Writer
}

// New returns a Plugin with the real agent client and stdio.
func New() *Plugin {
	return &Plugin{
		NewClient:  func(socketPath string) Client { return agentapi.NewClient(socketPath) },
		SocketPath: filepath.Join(netconf.RootsUnder(os.Getenv(netconf.EnvRoot)).Socket, filepath.Base(agentapi.DefaultSocketPath)),
		Stdout:     os.Stdout,
		Stderr:     os.Stderr,
	}
}

// Funcs returns the commands for skel.PluginMainFuncs. CHECK, GC and
// STATUS have nothing to verify or collect: the plugin keeps no state of
// its own.
func (p *Plugin) Funcs() skel.CNIFuncs {
	nothing := func(*skel.CmdArgs) error { return nil }
	return skel.CNIFuncs{Add: p.Add, Del: p.Del, Check: nothing, GC: nothing, Status: nothing}
}

// VersionInfo lists the CNI spec versions the plugin speaks.
func VersionInfo() version.PluginInfo {
	return version.PluginSupports(SupportedVersions()...)
}

// warn writes a note to Stderr.
func (p *Plugin) warn(format string, args ...any) {
	_, _ = fmt.Fprintf(p.Stderr, "coordinator: "+format+"\n", args...)
}

// print writes the prevResult, which the plugin passes on unchanged.
func (p *Plugin) print(nc *NetConf) error {
	versioned, err := nc.PrevResult.GetAsVersion(nc.CNIVersion)
	if err != nil {
		return types.NewError(types.ErrIncompatibleCNIVersion, fmt.Sprintf("convert prevResult to %s: %v", nc.CNIVersion, err), "")
	}
	if err := versioned.PrintTo(p.Stdout); err != nil {
		return types.NewError(types.ErrIOFailure, fmt.Sprintf("write the result: %v", err), "")
	}
	return nil
}

// agentError turns a failed configuration call into a CNI error.
func agentError(socket string, err error) *types.Error {
	var e *agentapi.Error
	switch {
	case errors.Is(err, agentapi.ErrUnreachable):
		return types.NewError(types.ErrTryAgainLater, fmt.Sprintf(
			"spiderpool-agent does not answer on %s; check that the spiderpool-agent pod of this node is running", socket), err.Error())
	case errors.As(err, &e) && e.Code == agentapi.CodeNotReady:
		return types.NewError(types.ErrTryAgainLater, "spiderpool-agent: "+e.Message, "")
	case errors.As(err, &e):
		return types.NewError(types.ErrInternal, "spiderpool-agent: "+e.Message, string(e.Code))
	default:
		return types.NewError(types.ErrInternal, err.Error(), "")
	}
}

func configError(err error) *types.Error {
	return types.NewError(types.ErrInvalidNetworkConfig, err.Error(), "")
}
