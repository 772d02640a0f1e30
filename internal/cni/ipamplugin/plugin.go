// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package ipamplugin

import (
	"context"
	"io"
	"net/netip"
	"os"
	"time"

	"github.com/containernetworking/cni/pkg/skel"
	"github.com/containernetworking/cni/pkg/version"

	"github.com/spiderpool-go/spiderpool/internal/agentapi"
	"github.com/spiderpool-go/spiderpool/internal/cni/detect"
	"github.com/spiderpool-go/spiderpool/internal/cni/netconf"
)

// About is printed when the binary runs without CNI_COMMAND.
const About = "spiderpool: IPAM CNI plugin that takes addresses from the node's spiderpool-agent (spiderpool-go)"

// Client is what the plugin needs of the agent; *agentapi.Client has it.
type Client interface {
	Healthy(ctx context.Context) error
	Allocate(ctx context.Context, req *agentapi.AddRequest) (*agentapi.AddResponse, error)
	Release(ctx context.Context, req *agentapi.DelRequest) error
	ReleaseAll(ctx context.Context, req *agentapi.BatchDelRequest) error
	Check(ctx context.Context, req *agentapi.CheckRequest) (*agentapi.CheckResponse, error)
	GC(ctx context.Context, req *agentapi.GCRequest) error
}

var _ Client = (*agentapi.Client)(nil)

// Links is what the plugin does inside the pod's network namespace.
type Links interface {
	// SetUp sets the interface UP; a missing interface is not an error.
	SetUp(netnsPath, ifName string) error
	// Addrs lists the addresses on the interface.
	Addrs(netnsPath, ifName string) ([]netip.Prefix, error)
	// Unaddress removes the interface's global addresses; a missing
	// namespace or interface is not an error.
	Unaddress(netnsPath, ifName string) error
}

// Plugin implements the CNI commands. Build it with [New]; tests replace
// the fields.
type Plugin struct {
	// NewClient returns the agent client for a socket path.
	NewClient func(socketPath string) Client
	// Links acts inside the pod's network namespace.
	Links Links
	// Detector runs the IP conflict and gateway checks and the
	// announcements of ADD; nil skips them.
	Detector Detector
	// Stdout receives the result of ADD.
	Stdout io.Writer
	// QueueDir returns the release-queue directory for a socket path.
	QueueDir func(socketPath string) string
	// QueueCapacity caps the release queue (0: the agentapi default).
	QueueCapacity int
	// Now times ADD and DEL for the log file; nil means time.Now.
	Now func() time.Time
	// Stderr receives failures to write the log file or to take the
	// addresses off the interface at DEL, and the configuration paths the
	// plugin ignored; nil means os.Stderr.
	Stderr io.Writer
	// Roots are the only directories the log file and the socket (with
	// the release queue next to it) may be in; the zero value means
	// netconf.DefaultRoots.
	Roots netconf.Roots
}

// New returns a Plugin with the real agent client, netns access and
// stdout, and the queue next to the socket.
func New() *Plugin {
	return &Plugin{
		NewClient: func(socketPath string) Client { return agentapi.NewClient(socketPath) },
		Links:     netnsLinks{},
		Detector:  wireDetector{timing: detect.DefaultTiming},
		Stdout:    os.Stdout,
		QueueDir:  agentapi.ReleaseQueueDir,
		Now:       time.Now,
		Stderr:    os.Stderr,
		Roots:     netconf.RootsUnder(os.Getenv(netconf.EnvRoot)),
	}
}

// Funcs returns the commands for skel.PluginMainFuncs. ADD and DEL append
// their duration to the configured log file (see TimingLine); every
// command reports the configuration paths it ignored.
func (p *Plugin) Funcs() skel.CNIFuncs {
	return skel.CNIFuncs{
		Add: p.wrap("ADD", true, p.Add), Del: p.wrap("DEL", true, p.Del),
		Check: p.wrap("CHECK", false, p.Check), GC: p.wrap("GC", false, p.GC), Status: p.wrap("STATUS", false, p.Status),
	}
}

// loadConf loads the network configuration with the log file and the
// socket kept inside p.Roots.
func (p *Plugin) loadConf(stdin []byte) (*netconf.NetConf, error) {
	roots := p.Roots
	if roots == (netconf.Roots{}) {
		roots = netconf.DefaultRoots()
	}
	return netconf.LoadConfined(stdin, roots)
}

// load decodes the network config and CNI_ARGS.
func (p *Plugin) load(args *skel.CmdArgs) (*netconf.NetConf, netconf.PodArgs, error) {
	conf, err := p.loadConf(args.StdinData)
	if err != nil {
		return nil, netconf.PodArgs{}, configError(err)
	}
	pod, err := netconf.ParseArgs(args.Args)
	if err != nil {
		return nil, netconf.PodArgs{}, argsError(err)
	}
	return conf, pod, nil
}

// VersionInfo lists the CNI spec versions the plugin speaks.
func VersionInfo() version.PluginInfo {
	return version.PluginSupports(netconf.SupportedVersions()...)
}
