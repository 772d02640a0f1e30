// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package initjob

import (
	"fmt"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
	"github.com/spiderpool-go/spiderpool/internal/config"
)

// Names of the default SpiderMultusConfig (docs/reference/interface.md §4.4).
const (
	// FallbackCNIName names the default SpiderMultusConfig when the CNI
	// directory has no configuration.
	FallbackCNIName = "default"
	// calicoNetworkName is the network name Calico's configuration uses.
	calicoNetworkName = "k8s-pod-network"
	// calicoName names the SpiderMultusConfig of a Calico cluster; its
	// NetworkAttachmentDefinition keeps Calico's network name.
	calicoName = "calico"
)

// defaultCNI describes the default SpiderMultusConfig chosen from the
// environment, and why, for the log.
type defaultCNI struct {
	desired desired
	// source says where the name and type come from.
	source string
}

// multusConfig returns the SpiderMultusConfig of the cluster's default CNI
// (docs/reference/interface.md §4.4): SPIDERPOOL_INIT_DEFAULT_CNI_NAME as a
// custom config if set, else the first configuration in
// SPIDERPOOL_INIT_DEFAULT_CNI_DIR other than Multus', else "default",
// custom.
func multusConfig(env *config.InitEnv) (defaultCNI, error) {
	ns, nsVar := env.DefaultCNINamespace, config.EnvInitDefaultCNINamespace
	if ns == "" {
		ns, nsVar = env.Namespace, config.EnvInitNamespace
	}
	if env.DefaultCNIName != "" {
		spec := customSpec()
		return defaultCNI{desired: multusObject(env.DefaultCNIName, ns, spec, multusVars(config.EnvInitDefaultCNIName, nsVar)),
			source: config.EnvInitDefaultCNIName}, nil
	}
	conf, file, found, err := findDefaultCNI(env.DefaultCNIDir)
	if err != nil {
		return defaultCNI{}, &config.EnvError{Name: config.EnvInitDefaultCNIDir, Value: env.DefaultCNIDir,
			Err: config.ErrInvalidEnv, Expected: "a directory of readable CNI configurations", Cause: err}
	}
	vars := multusVars(config.EnvInitDefaultCNIDir, nsVar)
	if !found {
		return defaultCNI{desired: multusObject(FallbackCNIName, ns, customSpec(), vars),
			source: "no CNI configuration in " + env.DefaultCNIDir}, nil
	}
	spec, how := specFor(conf)
	return defaultCNI{desired: multusObject(conf.Name, ns, spec, vars), source: file + ": " + how}, nil
}

// multusObject returns the SpiderMultusConfig name in ns. Calico's network
// name becomes the object "calico" whose NetworkAttachmentDefinition keeps
// the name k8s-pod-network, as Spiderpool does.
func multusObject(name, ns string, spec spiderpoolv2beta1.MultusCNIConfigSpec, vars fieldVars) desired {
	obj := &spiderpoolv2beta1.SpiderMultusConfig{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns}, Spec: spec}
	if name == calicoNetworkName {
		obj.Name = calicoName
		obj.Annotations = map[string]string{spiderpoolv2beta1.AnnoMultusConfigName: calicoNetworkName}
	}
	return desired{kind: spiderpoolv2beta1.KindSpiderMultusConfig, obj: obj, vars: vars}
}

// customSpec is a custom config with no plugin configuration: Multus then
// reads the file of the same network name from its CNI directory.
func customSpec() spiderpoolv2beta1.MultusCNIConfigSpec {
	return spiderpoolv2beta1.MultusCNIConfigSpec{
		CNIType:           ptr.To(spiderpoolv2beta1.CNITypeCustom),
		EnableCoordinator: ptr.To(false),
	}
}

// specFor maps the plugin type of conf to a cniType with its block, and
// says how. A type Spiderpool configures, but whose required fields the
// file does not give (the master of macvlan, ipvlan and ipoib; the
// device-plugin resource of sriov and ib-sriov, which no CNI file holds),
// becomes custom, so that the webhook accepts it and Multus uses the file
// as it is.
func specFor(conf cniConf) (spiderpoolv2beta1.MultusCNIConfigSpec, string) {
	spec := customSpec()
	var master []string
	if conf.Master != "" {
		master = []string{conf.Master}
	}
	switch {
	case conf.Type == spiderpoolv2beta1.CNITypeMacvlan && master != nil:
		spec.Macvlan = &spiderpoolv2beta1.MacvlanConfig{Master: master}
	case conf.Type == spiderpoolv2beta1.CNITypeIPvlan && master != nil:
		spec.IPvlan = &spiderpoolv2beta1.IPvlanConfig{Master: master}
	case conf.Type == spiderpoolv2beta1.CNITypeIPoIB && master != nil:
		spec.IPoIB = &spiderpoolv2beta1.IPoIBConfig{Master: conf.Master}
	case isSpiderpoolType(conf.Type):
		return spec, fmt.Sprintf("type %s lacks what a %s config requires; custom", conf.Type, conf.Type)
	default:
		return spec, fmt.Sprintf("type %s; custom", conf.Type)
	}
	spec.CNIType = ptr.To(conf.Type)
	return spec, "type " + conf.Type
}

// isSpiderpoolType reports whether t is a plugin type SpiderMultusConfig
// configures itself.
func isSpiderpoolType(t string) bool {
	switch t {
	case spiderpoolv2beta1.CNITypeMacvlan, spiderpoolv2beta1.CNITypeIPvlan, spiderpoolv2beta1.CNITypeSRIOV,
		spiderpoolv2beta1.CNITypeIBSRIOV, spiderpoolv2beta1.CNITypeIPoIB:
		return true
	}
	return false
}
