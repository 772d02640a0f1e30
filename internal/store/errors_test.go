// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package store

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"testing"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// TestAmbiguous: a write whose answer was lost (no answer, 5xx from the
// API server or from a proxy in front of it) may have landed; a conflict
// or a 4xx did not. A 502 from a proxy that cut the API server's answer
// was once taken as definite: the agent undid an allocation whose
// SpiderEndpoint had been created (found by the chaos suite).
func TestAmbiguous(t *testing.T) {
	gr := schema.GroupResource{Group: "spiderpool.spidernet.io", Resource: "spiderendpoints"}
	generic := func(code int) error { return apierrors.NewGenericServerResponse(code, "POST", gr, "x", "", 0, false) }
	tests := []struct {
		name string
		err  error
		want bool
	}{
		{"nil", nil, false},
		{"conflict", fmt.Errorf("w: %w", ErrConflict), false},
		{"deadline", context.DeadlineExceeded, true},
		{"connection lost", errors.New("read: connection reset by peer"), true},
		{"500", apierrors.NewInternalError(errors.New("etcd timeout")), true},
		{"502 from a proxy", generic(http.StatusBadGateway), true},
		{"503", generic(http.StatusServiceUnavailable), true},
		{"504", generic(http.StatusGatewayTimeout), true},
		{"server timeout", apierrors.NewServerTimeout(gr, "create", 1), true},
		{"429", apierrors.NewTooManyRequests("slow down", 1), false},
		{"409", apierrors.NewConflict(gr, "x", errors.New("changed")), false},
		{"422", apierrors.NewBadRequest("bad"), false},
		{"404", apierrors.NewNotFound(gr, "x"), false},
		{"413", apierrors.NewRequestEntityTooLargeError("limit is 3145728"), false},
		{"etcd's request limit", etcdTooLarge(), false},
	}
	for _, tt := range tests {
		if got := Ambiguous(tt.err); got != tt.want {
			t.Errorf("%s: Ambiguous(%v) = %v, want %v", tt.name, tt.err, got, tt.want)
		}
	}
}

// etcdTooLarge is what the API server answers when etcd refuses a write for
// its size (500, no reason).
func etcdTooLarge() error {
	return &apierrors.StatusError{ErrStatus: metav1.Status{Status: metav1.StatusFailure, Code: http.StatusInternalServerError,
		Message: "etcdserver: request is too large"}}
}

// TestTooLarge: the API server's 413 and etcd's 500 "request is too large"
// are refusals for size; another 500 is not.
func TestTooLarge(t *testing.T) {
	for _, tt := range []struct {
		name string
		err  error
		want bool
	}{
		{"413", fmt.Errorf("write: %w", apierrors.NewRequestEntityTooLargeError("limit is 3145728")), true},
		{"etcd's request limit", fmt.Errorf("write: %w", etcdTooLarge()), true},
		{"another 500", apierrors.NewInternalError(errors.New("etcd timeout")), false},
		{"nil", nil, false},
	} {
		if got := TooLarge(tt.err); got != tt.want {
			t.Errorf("%s: TooLarge(%v) = %v, want %v", tt.name, tt.err, got, tt.want)
		}
	}
}
