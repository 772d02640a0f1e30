// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package multusconf

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/validation/field"

	nadv1 "github.com/spiderpool-go/spiderpool/api/k8scni/v1"
	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
	"github.com/spiderpool-go/spiderpool/internal/validation"
)

// DefaultCNIVersion is the cniVersion of a generated configuration when
// annotation multus.spidernet.io/cni-version is absent.
const DefaultCNIVersion = "0.3.1"

// AnnoCNIConfigName sets the "name" inside the generated configuration
// (Spiderpool v1.2); without it the name is the NAD's.
const AnnoCNIConfigName = "cni.spidernet.io/cniconfig-name"

// ErrInvalid is wrapped by every error about the SpiderMultusConfig
// itself, as opposed to a failure to encode.
var ErrInvalid = errors.New("invalid SpiderMultusConfig")

// conflist is a CNI configuration list; its fields are in the order
// Spiderpool writes them.
type conflist struct {
	CNIVersion string `json:"cniVersion"`
	Name       string `json:"name"`
	Plugins    []any  `json:"plugins"`
}

// NAD returns the NetworkAttachmentDefinition smc generates, without an
// owner reference: name and namespace, the SMC's annotations plus
// k8s.v1.cni.cncf.io/resourceName where Spiderpool sets it, and
// spec.config. An SMC the webhook would reject returns an error wrapping
// ErrInvalid that names the field, the value and the fix.
func NAD(smc *spiderpoolv2beta1.SpiderMultusConfig) (*nadv1.NetworkAttachmentDefinition, error) {
	if errs := validation.ValidateMultusConfig(smc, validation.MultusConfigEnv{}); len(errs) > 0 {
		return nil, fmt.Errorf("%w %s/%s: %w", ErrInvalid, smc.Namespace, smc.Name, errs.ToAggregate())
	}
	config, err := Config(smc)
	if err != nil {
		return nil, err
	}
	annotations := maps.Clone(smc.Annotations)
	if res := resourceName(&smc.Spec); res != "" {
		if annotations == nil {
			annotations = map[string]string{}
		}
		annotations[spiderpoolv2beta1.AnnoNADResourceName] = res
	}
	return &nadv1.NetworkAttachmentDefinition{
		ObjectMeta: metav1.ObjectMeta{Name: validation.NADName(smc), Namespace: smc.Namespace, Annotations: annotations},
		Spec:       nadv1.NetworkAttachmentDefinitionSpec{Config: config},
	}, nil
}

// Config returns spec.config of the NAD smc generates: customCNI verbatim
// (empty: no configuration) for cniType custom, else the configuration
// list of the type's plugin chain. It assumes a valid smc (NAD checks) but
// never panics on an invalid one.
func Config(smc *spiderpoolv2beta1.SpiderMultusConfig) (string, error) {
	spec := &smc.Spec
	cniType := deref(spec.CNIType, spiderpoolv2beta1.CNITypeCustom)
	if cniType == spiderpoolv2beta1.CNITypeCustom {
		return customConfig(spec)
	}
	plugins, err := chain(spec, cniType)
	if err != nil {
		return "", err
	}
	list := conflist{CNIVersion: cniVersion(smc.Annotations), Name: configName(smc), Plugins: plugins}
	out, err := json.Marshal(list)
	if err != nil {
		return "", fmt.Errorf("encode the configuration of SpiderMultusConfig %s/%s: %w", smc.Namespace, smc.Name, err)
	}
	return string(out), nil
}

// customConfig returns customCNI, which must be empty or JSON.
func customConfig(spec *spiderpoolv2beta1.MultusCNIConfigSpec) (string, error) {
	s := deref(spec.CustomCNI, "")
	if s != "" && !json.Valid([]byte(s)) {
		return "", invalid(field.NewPath("spec", "customCNI"), s, "is not valid JSON; write the whole CNI configuration as JSON")
	}
	return s, nil
}

// cniVersion returns annotation multus.spidernet.io/cni-version, or 0.3.1.
func cniVersion(annotations map[string]string) string {
	if v, ok := annotations[spiderpoolv2beta1.AnnoMultusConfigCNIVersion]; ok {
		return v
	}
	return DefaultCNIVersion
}

// configName returns the "name" of the configuration list: annotation
// cni.spidernet.io/cniconfig-name, or the NAD's name.
func configName(smc *spiderpoolv2beta1.SpiderMultusConfig) string {
	if v := smc.Annotations[AnnoCNIConfigName]; v != "" {
		return v
	}
	return validation.NADName(smc)
}

// resourceName returns the k8s.v1.cni.cncf.io/resourceName annotation of
// the NAD: the VF resource for sriov and ib-sriov, the OVS bridge's
// resource for ovs with a deviceID, "" otherwise.
func resourceName(spec *spiderpoolv2beta1.MultusCNIConfigSpec) string {
	switch deref(spec.CNIType, spiderpoolv2beta1.CNITypeCustom) {
	case spiderpoolv2beta1.CNITypeSRIOV:
		if spec.SRIOV != nil {
			return deref(spec.SRIOV.ResourceName, "")
		}
	case spiderpoolv2beta1.CNITypeIBSRIOV:
		if spec.IBSRIOV != nil {
			return deref(spec.IBSRIOV.ResourceName, "")
		}
	case spiderpoolv2beta1.CNITypeOVS:
		if spec.OVS != nil && spec.OVS.DeviceID != "" {
			return OVSResourcePrefix + spec.OVS.BrName
		}
	}
	return ""
}

// OVSResourcePrefix prefixes the bridge name in the resourceName
// annotation of an OVS network with a deviceID.
const OVSResourcePrefix = "ovs-cni.network.kubevirt.io/"

// invalid returns an error wrapping ErrInvalid about the field at path.
func invalid(path *field.Path, value any, detail string) error {
	return fmt.Errorf("%w: %w", ErrInvalid, field.Invalid(path, value, detail))
}

// deref returns *p, or def when p is nil.
func deref[T any](p *T, def T) T {
	if p == nil {
		return def
	}
	return *p
}
