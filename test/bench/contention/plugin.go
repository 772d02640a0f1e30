// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package contention

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/spiderpool-go/spiderpool/internal/cni/netconf"
	"github.com/spiderpool-go/spiderpool/test/lab"
)

// nodeConfig is what a node's plugin calls need: the stdin and the
// environment shared by all of them.
type nodeConfig struct {
	stdin []byte
	env   []string
}

// nodeConfigOf reads node n's default network (the conflist the lab
// wrote) and returns the IPAM plugin's stdin as the main plugin passes it
// on: the first plugin's configuration with the list's name and
// cniVersion, as libcni hands it to that plugin. SPIDERPOOL_CNI_ROOT is the
// node's root dir, as the node simulator sets it, so that the agent socket
// under it is accepted.
func nodeConfigOf(l *lab.Lab, n lab.Node) (nodeConfig, error) {
	path := filepath.Join(n.CNIConfDir(), "10-default.conflist")
	data, err := os.ReadFile(path) //nolint:gosec // the lab's own file
	if err != nil {
		return nodeConfig{}, fmt.Errorf("node %s network: %w", n.Name, err)
	}
	var list struct {
		Name       string           `json:"name"`
		CNIVersion string           `json:"cniVersion"`
		Plugins    []map[string]any `json:"plugins"`
	}
	if err := json.Unmarshal(data, &list); err != nil {
		return nodeConfig{}, fmt.Errorf("node %s network %s: %w", n.Name, path, err)
	}
	if len(list.Plugins) == 0 {
		return nodeConfig{}, fmt.Errorf("node %s network %s: no plugins: want the conflist the lab writes", n.Name, path)
	}
	conf := list.Plugins[0]
	conf["name"], conf["cniVersion"] = list.Name, list.CNIVersion
	stdin, err := json.Marshal(conf)
	if err != nil {
		return nodeConfig{}, fmt.Errorf("node %s network: %w", n.Name, err)
	}
	env := []string{
		"PATH=" + os.Getenv("PATH"),
		netconf.EnvRoot + "=" + n.RootFS(),
		"CNI_IFNAME=eth0",
		"CNI_PATH=" + strings.Join(l.NodeCNIBinDirs(n), string(os.PathListSeparator)),
	}
	return nodeConfig{stdin: stdin, env: env}, nil
}

// podRef is what a plugin call says about its pod.
type podRef struct {
	Namespace, Name, UID string
	// ContainerID is the sandbox's ID, unique per scenario run.
	ContainerID string
	// NetNS is the path of the pod's namespace.
	NetNS string
}

// outcome is one plugin call.
type outcome struct {
	// Wall is from the start of the process to its exit.
	Wall time.Duration
	// CPU is the process's user + system time (its rusage).
	CPU time.Duration
	// Err is the CNI error's message and details, or the exit status.
	Err string
	// IPs are the addresses of the ADD's result.
	IPs []string
}

// callPlugin runs binary once for command and pod p.
func callPlugin(ctx context.Context, binary, command string, nc nodeConfig, p podRef) outcome {
	cmd := exec.CommandContext(ctx, binary) //nolint:gosec // the operator's plugin binary
	cmd.Env = append(slices.Clip(nc.env), "CNI_COMMAND="+command, "CNI_CONTAINERID="+p.ContainerID, "CNI_NETNS="+p.NetNS,
		fmt.Sprintf("CNI_ARGS=IgnoreUnknown=1;K8S_POD_NAMESPACE=%s;K8S_POD_NAME=%s;K8S_POD_INFRA_CONTAINER_ID=%s;K8S_POD_UID=%s",
			p.Namespace, p.Name, p.ContainerID, p.UID))
	cmd.Stdin = bytes.NewReader(nc.stdin)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	start := time.Now()
	err := cmd.Run()
	o := outcome{Wall: time.Since(start)}
	if cmd.ProcessState != nil {
		o.CPU = cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
	}
	if err != nil {
		o.Err = callError(err, stdout.Bytes(), stderr.Bytes())
		return o
	}
	if command == "ADD" {
		o.IPs, o.Err = resultIPs(stdout.Bytes())
	}
	return o
}

// callError is the CNI error printed on stdout, else the exit status and
// stderr.
func callError(err error, stdout, stderr []byte) string {
	var e struct {
		Code    uint   `json:"code"`
		Msg     string `json:"msg"`
		Details string `json:"details"`
	}
	if json.Unmarshal(stdout, &e) == nil && e.Msg != "" {
		return strings.TrimSpace(fmt.Sprintf("code %d: %s %s", e.Code, e.Msg, e.Details))
	}
	return strings.TrimSpace(fmt.Sprintf("%v: %s", err, stderr))
}

// resultIPs returns the addresses of an ADD result, or why it has none.
func resultIPs(stdout []byte) ([]string, string) {
	var r struct {
		IPs []struct {
			Address string `json:"address"`
		} `json:"ips"`
	}
	if err := json.Unmarshal(stdout, &r); err != nil {
		return nil, fmt.Sprintf("parse the ADD result: %v: %q", err, stdout)
	}
	out := make([]string, 0, len(r.IPs))
	for _, ip := range r.IPs {
		out = append(out, ip.Address)
	}
	return out, ""
}
