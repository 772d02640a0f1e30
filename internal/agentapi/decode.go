// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package agentapi

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// MaxBodyBytes bounds every request and response body. A GC list of ten
// thousand attachments takes about 1 MiB.
const MaxBodyBytes = 4 << 20

// errBodyTooLarge ends a body read past MaxBodyBytes.
var errBodyTooLarge = fmt.Errorf("the body is larger than %d bytes", MaxBodyBytes)

// Validator is a wire type that checks itself.
type Validator interface {
	Validate() error
}

// decode reads exactly one JSON value of at most MaxBodyBytes into v.
// Unknown fields are accepted so that an older agent understands a newer
// plugin. Errors are InvalidRequest *Error values.
func decode(r io.Reader, v any) error {
	dec := json.NewDecoder(&limitedBody{r: r, left: MaxBodyBytes})
	if err := dec.Decode(v); err != nil {
		return decodeError(err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		if errors.Is(err, errBodyTooLarge) {
			return decodeError(err)
		}
		return NewError(CodeInvalidRequest, "the body holds more than one JSON value")
	}
	return nil
}

// ReadRequest decodes and validates one wire value of type T: the agent's
// server reads requests with it, the client its responses' types in the
// fuzz tests. Errors are InvalidRequest *Error values naming the field.
func ReadRequest[T any, P interface {
	*T
	Validator
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
	switch {
	case errors.As(err, &typeErr) && typeErr.Field != "":
		return invalidField(typeErr.Field, fmt.Sprintf("is a JSON %s but must be a %s", typeErr.Value, typeErr.Type))
	case errors.Is(err, errBodyTooLarge):
		return NewError(CodeInvalidRequest, "%v", err)
	case errors.Is(err, io.EOF):
		return NewError(CodeInvalidRequest, "the body is empty; send a JSON object")
	default:
		return NewError(CodeInvalidRequest, "the body is not valid JSON: %v", err)
	}
}

// limitedBody reads r up to left bytes and fails with errBodyTooLarge when
// r holds more.
type limitedBody struct {
	r    io.Reader
	left int64
}

func (b *limitedBody) Read(p []byte) (int, error) {
	if b.left <= 0 {
		var probe [1]byte
		if n, err := b.r.Read(probe[:]); n == 0 {
			return 0, err
		}
		return 0, errBodyTooLarge
	}
	if int64(len(p)) > b.left {
		p = p[:b.left]
	}
	n, err := b.r.Read(p)
	b.left -= int64(n)
	return n, err
}
