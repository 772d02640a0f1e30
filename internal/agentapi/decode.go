// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package agentapi

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
)

// MaxBodyBytes bounds every request and response body. A GC list of ten
// thousand attachments takes about 1 MiB.
const MaxBodyBytes = 4 << 20

// validator is a wire type that checks itself.
type validator interface {
	Validate() error
}

// decode reads exactly one JSON value of at most MaxBodyBytes into v.
// Unknown fields are accepted so that an older agent understands a newer
// plugin. Errors are InvalidRequest *Error values.
func decode(r io.Reader, v any) error {
	dec := json.NewDecoder(http.MaxBytesReader(nil, io.NopCloser(r), MaxBodyBytes))
	if err := dec.Decode(v); err != nil {
		return decodeError(err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return NewError(CodeInvalidRequest, "the body holds more than one JSON value")
	}
	return nil
}

// decodeAs decodes and validates one wire value of type T.
func decodeAs[T any, P interface {
	*T
	validator
}](r io.Reader) (*T, error) {
	v := P(new(T))
	if err := decode(r, v); err != nil {
		return nil, err
	}
	if err := v.Validate(); err != nil {
		return nil, err
	}
	return v, nil
}

func decodeError(err error) *Error {
	var typeErr *json.UnmarshalTypeError
	var tooLarge *http.MaxBytesError
	switch {
	case errors.As(err, &typeErr) && typeErr.Field != "":
		return invalidField(typeErr.Field, fmt.Sprintf("is a JSON %s but must be a %s", typeErr.Value, typeErr.Type))
	case errors.As(err, &tooLarge):
		return NewError(CodeInvalidRequest, "the body is larger than %d bytes", tooLarge.Limit)
	case errors.Is(err, io.EOF):
		return NewError(CodeInvalidRequest, "the body is empty; send a JSON object")
	default:
		return NewError(CodeInvalidRequest, "the body is not valid JSON: %v", err)
	}
}
