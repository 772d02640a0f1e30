// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package ipamplugin

import (
	"errors"
	"fmt"

	"github.com/containernetworking/cni/pkg/types"

	"github.com/spiderpool-go/spiderpool/internal/agentapi"
)

// ErrPluginNotAvailable is the CNI 1.1 code for "the plugin cannot serve
// ADD now" (STATUS); containernetworking/cni v1.3.0 has no constant for it.
const ErrPluginNotAvailable uint = 50

// ErrNetNS is wrapped by [Links] errors when the pod's network namespace
// cannot be entered; the plugin reports it as code 8.
var ErrNetNS = errors.New("cannot enter the pod network namespace")

// requestSource names where a request field comes from, so that an error
// can point at what the runtime must fix; "" for fields from the config.
func requestSource(field string) string {
	switch field {
	case "containerID":
		return "CNI_CONTAINERID"
	case "ifName":
		return "CNI_IFNAME"
	case "netNamespace":
		return "CNI_NETNS"
	case "podNamespace":
		return "K8S_POD_NAMESPACE in CNI_ARGS"
	case "podName":
		return "K8S_POD_NAME in CNI_ARGS"
	case "podUID":
		return "K8S_POD_UID in CNI_ARGS"
	default:
		return ""
	}
}

func configError(err error) *types.Error {
	return types.NewError(types.ErrInvalidNetworkConfig, err.Error(), "")
}

func argsError(err error) *types.Error {
	return types.NewError(types.ErrInvalidEnvironmentVariables, err.Error(), "")
}

// requestError reports a request the plugin built but the agent API
// refuses; every field comes from the runtime's environment (code 4).
func requestError(err error) *types.Error {
	var e *agentapi.Error
	if errors.As(err, &e) && requestSource(e.Field) != "" {
		return types.NewError(types.ErrInvalidEnvironmentVariables,
			fmt.Sprintf("%s %s; the container runtime must set it", requestSource(e.Field), e.Message), "")
	}
	return types.NewError(types.ErrInvalidEnvironmentVariables, err.Error(), "")
}

// netnsError reports a failure inside the pod's network namespace.
func netnsError(err error) *types.Error {
	if errors.Is(err, ErrNetNS) {
		return types.NewError(types.ErrInvalidNetNS, err.Error(), "")
	}
	return types.NewError(types.ErrInternal, err.Error(), "")
}

// agentError turns an agent call's failure into a CNI error the user can
// act on.
func agentError(socketPath string, err error) *types.Error {
	var e *agentapi.Error
	switch {
	case errors.Is(err, agentapi.ErrUnreachable):
		return types.NewError(types.ErrTryAgainLater, fmt.Sprintf(
			"unhealthy spiderpool-agent backend: spiderpool-agent does not answer on %s; "+
				"check that the spiderpool-agent pod of this node is running", socketPath),
			err.Error())
	case !errors.As(err, &e):
		return types.NewError(types.ErrInternal, err.Error(), "")
	case e.Code == agentapi.CodeNotReady:
		return types.NewError(types.ErrTryAgainLater, "spiderpool-agent is not ready yet: "+e.Message, "")
	case e.Code == agentapi.CodeInvalidRequest:
		return requestError(e)
	default:
		return types.NewError(types.ErrInternal, "spiderpool-agent: "+e.Message, string(e.Code))
	}
}
