// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package agentapi

import (
	"fmt"
	"strings"
)

// maxIfNameLen is the kernel's IFNAMSIZ minus the terminating NUL.
const maxIfNameLen = 15

// required is one mandatory string field of a request.
type required struct {
	field, value string
}

// checkRequired returns an InvalidRequest error naming the first empty
// field.
func checkRequired(fields ...required) error {
	for _, f := range fields {
		if f.value == "" {
			return invalidField(f.field, "is required")
		}
	}
	return nil
}

// invalidField is an InvalidRequest error naming a field.
func invalidField(field, reason string) *Error {
	return &Error{Code: CodeInvalidRequest, Field: field, Message: reason}
}

// checkIfName applies the kernel's rules for interface names.
func checkIfName(field, name string) error {
	switch {
	case name == "":
		return invalidField(field, "is required")
	case len(name) > maxIfNameLen:
		return invalidField(field, fmt.Sprintf("%q is longer than %d bytes", name, maxIfNameLen))
	case name == "." || name == "..":
		return invalidField(field, fmt.Sprintf("%q is not an interface name", name))
	case strings.ContainsAny(name, "/: \t\n\v\f\r\x00"):
		return invalidField(field, fmt.Sprintf("%q contains '/', ':', NUL or white space", name))
	}
	return nil
}

// Validate checks the fields the agent needs.
func (r *AddRequest) Validate() error {
	if err := checkRequired(required{"containerID", r.ContainerID}); err != nil {
		return err
	}
	if err := checkIfName("ifName", r.IfName); err != nil {
		return err
	}
	if err := checkRequired(
		required{"netNamespace", r.NetNamespace}, required{"podNamespace", r.PodNamespace},
		required{"podName", r.PodName}, required{"podUID", r.PodUID}); err != nil {
		return err
	}
	if err := checkPoolNames("defaultIPv4IPPool", r.DefaultIPv4IPPool); err != nil {
		return err
	}
	return checkPoolNames("defaultIPv6IPPool", r.DefaultIPv6IPPool)
}

func checkPoolNames(field string, names []string) error {
	for i, n := range names {
		if n == "" {
			return invalidField(fmt.Sprintf("%s[%d]", field, i), "is empty")
		}
	}
	return nil
}

// Validate checks the fields the agent needs.
func (r *DelRequest) Validate() error {
	if err := checkRequired(required{"containerID", r.ContainerID}); err != nil {
		return err
	}
	if err := checkIfName("ifName", r.IfName); err != nil {
		return err
	}
	return checkRequired(required{"podNamespace", r.PodNamespace}, required{"podName", r.PodName})
}

// Validate checks the fields the agent needs.
func (r *BatchDelRequest) Validate() error {
	if err := checkRequired(required{"containerID", r.ContainerID},
		required{"podNamespace", r.PodNamespace}, required{"podName", r.PodName}); err != nil {
		return err
	}
	if r.Detection != nil {
		return r.Detection.Validate()
	}
	return nil
}

// Validate checks the fields the agent needs.
func (r *CheckRequest) Validate() error {
	if err := checkRequired(required{"containerID", r.ContainerID}); err != nil {
		return err
	}
	if err := checkIfName("ifName", r.IfName); err != nil {
		return err
	}
	return checkRequired(required{"podNamespace", r.PodNamespace},
		required{"podName", r.PodName}, required{"podUID", r.PodUID})
}

// Validate checks that the list is present (an empty list is valid and
// means no attachment is in use) and that every entry is complete.
func (r *GCRequest) Validate() error {
	if r.ValidAttachments == nil {
		return invalidField("validAttachments", "is required; send [] to release every allocation of the node")
	}
	for i, a := range r.ValidAttachments {
		at := fmt.Sprintf("validAttachments[%d]", i)
		if err := checkRequired(required{at + ".containerID", a.ContainerID}); err != nil {
			return err
		}
		if err := checkIfName(at+".ifName", a.IfName); err != nil {
			return err
		}
	}
	return nil
}
