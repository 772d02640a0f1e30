// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package nodesim

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"sort"

	"github.com/containernetworking/cni/libcni"
	"github.com/containernetworking/cni/pkg/utils"
)

// ErrNoDefaultNetwork is returned when the node's CNI conf dir holds no network.
var ErrNoDefaultNetwork = errors.New("no CNI network config in the conf dir")

// defaultIfName is the interface of the pod's default network.
const defaultIfName = "eth0"

// normalizeNetConf turns a CNI network config, either a single plugin config
// or a conflist, into conflist JSON. A config without a name gets fallbackName,
// as Multus names a delegate after its NetworkAttachmentDefinition.
func normalizeNetConf(data []byte, fallbackName string) ([]byte, error) {
	var raw map[string]any
	if err := json.Unmarshal(data, &raw); err != nil {
		return nil, fmt.Errorf("parse CNI config: %w", err)
	}
	if raw == nil {
		return nil, errors.New("parse CNI config: not a JSON object")
	}
	if name, _ := raw["name"].(string); name == "" {
		raw["name"] = fallbackName
	}
	if _, isList := raw["plugins"]; !isList {
		raw = map[string]any{"cniVersion": raw["cniVersion"], "name": raw["name"], "plugins": []any{raw}}
	}
	out, err := json.Marshal(raw)
	if err != nil {
		return nil, fmt.Errorf("encode CNI config: %w", err)
	}
	if _, err := parseConfList(out); err != nil {
		return nil, err
	}
	return out, nil
}

// parseConfList parses conflist JSON that normalizeNetConf produced.
func parseConfList(data []byte) (*libcni.NetworkConfigList, error) {
	list, err := libcni.NetworkConfFromBytes(data)
	if err != nil {
		return nil, fmt.Errorf("parse CNI conflist: %w", err)
	}
	if len(list.Plugins) == 0 {
		return nil, errors.New("parse CNI conflist: no plugins")
	}
	// Checked here because plugins refuse a bad name on DEL too, which would
	// leave a sandbox that can never be torn down.
	if verr := utils.ValidateNetworkName(list.Name); verr != nil {
		return nil, fmt.Errorf("parse CNI conflist: %w", verr)
	}
	return list, nil
}

// loadDefaultNetwork reads the node's default network: the first *.conf,
// *.conflist or *.json file of dir in lexical order, as the container
// runtimes pick it. It is read for every sandbox, so edits take effect at once.
func loadDefaultNetwork(dir string) (network, error) {
	files, err := libcni.ConfFiles(dir, []string{".conf", ".conflist", ".json"})
	if err != nil {
		return network{}, fmt.Errorf("list CNI conf dir %s: %w", dir, err)
	}
	if len(files) == 0 {
		return network{}, fmt.Errorf("%s: %w", dir, ErrNoDefaultNetwork)
	}
	sort.Strings(files)
	data, err := os.ReadFile(files[0])
	if err != nil {
		return network{}, fmt.Errorf("read default network: %w", err)
	}
	conf, err := normalizeNetConf(data, "")
	if err != nil {
		return network{}, fmt.Errorf("default network %s: %w", files[0], err)
	}
	list, err := parseConfList(conf)
	if err != nil {
		return network{}, err
	}
	return network{Name: list.Name, IfName: defaultIfName, Default: true, Config: conf}, nil
}
