// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package netconf

import (
	"fmt"
	"net/netip"

	"github.com/containernetworking/cni/pkg/types"
)

// Keys of CNI_ARGS the plugin reads.
const (
	ArgPodName          = "K8S_POD_NAME"
	ArgPodNamespace     = "K8S_POD_NAMESPACE"
	ArgPodUID           = "K8S_POD_UID"
	ArgInfraContainerID = "K8S_POD_INFRA_CONTAINER_ID"
	ArgIP               = "IP"
)

// PodArgs is the pod identity a Kubernetes runtime passes in CNI_ARGS.
type PodArgs struct {
	// Name is K8S_POD_NAME; always set.
	Name string
	// Namespace is K8S_POD_NAMESPACE; always set.
	Namespace string
	// UID is K8S_POD_UID; empty when the runtime does not send it.
	UID string
	// InfraContainerID is K8S_POD_INFRA_CONTAINER_ID.
	InfraContainerID string
	// IP is the optional IP argument; Spiderpool parses it but does not use
	// it. The zero Addr means absent.
	IP netip.Addr
}

// k8sArgs is the types.LoadArgs target: LoadArgs finds fields by the
// literal CNI_ARGS key, hence the names.
//
//nolint:revive // field names must equal the CNI_ARGS keys.
type k8sArgs struct {
	types.CommonArgs
	IP                         netip.Addr
	K8S_POD_NAME               types.UnmarshallableString
	K8S_POD_NAMESPACE          types.UnmarshallableString
	K8S_POD_UID                types.UnmarshallableString
	K8S_POD_INFRA_CONTAINER_ID types.UnmarshallableString
}

// ParseArgs decodes CNI_ARGS ("K=V;K2=V2") with the types.LoadArgs rules:
// unknown keys are an error unless IgnoreUnknown=1 (or true) is present.
// K8S_POD_NAME and K8S_POD_NAMESPACE are required. Every error it returns
// is an [*ArgsError] matching [ErrInvalidArgs].
func ParseArgs(args string) (PodArgs, error) {
	var raw k8sArgs
	if err := types.LoadArgs(args, &raw); err != nil {
		return PodArgs{}, &ArgsError{Reason: fmt.Sprintf(
			"%v; want KEY=VALUE pairs separated by ';', with IgnoreUnknown=1 if keys other than "+
				"%s, %s, %s, %s and %s are present", err, ArgPodName, ArgPodNamespace, ArgPodUID, ArgInfraContainerID, ArgIP), Err: err}
	}
	out := PodArgs{
		Name:             string(raw.K8S_POD_NAME),
		Namespace:        string(raw.K8S_POD_NAMESPACE),
		UID:              string(raw.K8S_POD_UID),
		InfraContainerID: string(raw.K8S_POD_INFRA_CONTAINER_ID),
		IP:               raw.IP,
	}
	if out.Name == "" {
		return PodArgs{}, missingArg(ArgPodName)
	}
	if out.Namespace == "" {
		return PodArgs{}, missingArg(ArgPodNamespace)
	}
	return out, nil
}

func missingArg(key string) *ArgsError {
	return &ArgsError{Key: key, Reason: fmt.Sprintf(
		"is missing or empty; the runtime must pass %s=<value> in CNI_ARGS (spiderpool serves Kubernetes pods only)", key)}
}
