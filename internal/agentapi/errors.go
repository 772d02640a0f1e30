// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package agentapi

import (
	"errors"
	"fmt"
)

// ErrUnreachable wraps every failure to exchange a request with the agent:
// no socket, connection refused or reset, a timeout. The CNI plugin reports
// it as "try again later" (code 11) and queues releases on disk.
var ErrUnreachable = errors.New("spiderpool-agent is unreachable")

// Code classifies an [Error]. Unknown codes from a newer agent are kept as
// they are.
type Code string

// The error codes of the agent API, each with one HTTP status.
const (
	// CodeInvalidRequest: a required field is missing or malformed (400).
	CodeInvalidRequest Code = "InvalidRequest"
	// CodeNotFound: nothing is recorded for the pod or interface (404).
	CodeNotFound Code = "NotFound"
	// CodeConflict: the request clashes with recorded state, such as an
	// address in use elsewhere or a refused release (409).
	CodeConflict Code = "Conflict"
	// CodeNoPool: no candidate pool matches, or a named pool does not exist
	// (422).
	CodeNoPool Code = "NoPool"
	// CodePoolExhausted: every candidate pool is full (422).
	CodePoolExhausted Code = "PoolExhausted"
	// CodeInternal: anything else (500).
	CodeInternal Code = "Internal"
	// CodeNotReady: the agent has not restored its state or synced its
	// cache yet; retry later (503).
	CodeNotReady Code = "NotReady"
	// CodeWrongNode: the pod is bound to another node, whose agent alone
	// serves it (403).
	CodeWrongNode Code = "WrongNode"
	// CodeStatelessReleaseForbidden: a conflict batch release
	// (isReleaseConflictIPs) while SPIDERPOOL_ENABLED_RELEASE_CONFLICT_IPS
	// is false; Spiderpool's 521 (docs/reference/interface.md §5.2).
	CodeStatelessReleaseForbidden Code = "StatelessReleaseForbidden"
	// CodeStatefulReleaseForbidden: a conflict batch release of a
	// StatefulSet or KubeVirt pod, whose addresses are fixed; Spiderpool's
	// 522 (docs/reference/interface.md §5.2).
	CodeStatefulReleaseForbidden Code = "StatefulReleaseForbidden"
)

// The HTTP statuses of the API. They are spelled here, not taken from
// net/http, which the plugins must not link (package agentserver). 521 and
// 522 are Spiderpool's for a refused batch release.
const (
	statusBadRequest                = 400
	statusForbidden                 = 403
	statusNotFound                  = 404
	statusMethodNotAllowed          = 405
	statusConflict                  = 409
	statusRequestEntityTooLarge     = 413
	statusUnprocessableEntity       = 422
	statusInternalServerError       = 500
	statusServiceUnavailable        = 503
	statusStatelessReleaseForbidden = 521
	statusStatefulReleaseForbidden  = 522
)

// Error is the JSON body of every non-2xx response, and the error the
// [Client] returns for it.
type Error struct {
	// Code classifies the error.
	Code Code `json:"code"`
	// Message says what went wrong, for the user.
	Message string `json:"message"`
	// Field is the JSON name of the request field at fault, for
	// [CodeInvalidRequest]; empty otherwise.
	Field string `json:"field,omitempty"`
	// HTTPStatus is the status the client received; not on the wire.
	HTTPStatus int `json:"-"`
}

// Error implements error.
func (e *Error) Error() string {
	if e.Field != "" {
		return fmt.Sprintf("%s: %s: %s", e.Code, e.Field, e.Message)
	}
	return fmt.Sprintf("%s: %s", e.Code, e.Message)
}

// NewError returns an *Error with the given code and message.
func NewError(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// HasCode reports whether err is, or wraps, an *Error with the given code.
func HasCode(err error, code Code) bool {
	var e *Error
	return errors.As(err, &e) && e.Code == code
}

// HTTPStatus is the status a response with this code carries.
func (c Code) HTTPStatus() int {
	switch c {
	case CodeInvalidRequest:
		return statusBadRequest
	case CodeNotFound:
		return statusNotFound
	case CodeConflict:
		return statusConflict
	case CodeNoPool, CodePoolExhausted:
		return statusUnprocessableEntity
	case CodeNotReady:
		return statusServiceUnavailable
	case CodeWrongNode:
		return statusForbidden
	case CodeStatelessReleaseForbidden:
		return statusStatelessReleaseForbidden
	case CodeStatefulReleaseForbidden:
		return statusStatefulReleaseForbidden
	default:
		return statusInternalServerError
	}
}

// codeForStatus guesses the code of a response whose body is not an
// [Error], such as the mux's own 404 and 405.
func codeForStatus(status int) Code {
	switch status {
	case statusBadRequest, statusMethodNotAllowed, statusRequestEntityTooLarge:
		return CodeInvalidRequest
	case statusNotFound:
		return CodeNotFound
	case statusConflict:
		return CodeConflict
	case statusServiceUnavailable:
		return CodeNotReady
	case statusForbidden:
		return CodeWrongNode
	case statusStatelessReleaseForbidden:
		return CodeStatelessReleaseForbidden
	case statusStatefulReleaseForbidden:
		return CodeStatefulReleaseForbidden
	default:
		return CodeInternal
	}
}
