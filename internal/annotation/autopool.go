// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package annotation

import (
	"strconv"
	"strings"
)

const ipNumberForm = `"2" (a fixed size) or "+1" (the application's replicas plus 1)`

// IPNumber is the value of [KeyIPPoolIPNumber]: the size of an
// auto-created pool.
type IPNumber struct {
	// Flexible means the size is the application's replicas plus N;
	// otherwise the size is N.
	Flexible bool
	// N is the fixed size or the number of spare IPs; never negative.
	N int
}

// ParseIPNumber parses a [KeyIPPoolIPNumber] value: "N" (fixed) or "+N"
// (flexible), with N a non-negative decimal integer.
func ParseIPNumber(value string) (IPNumber, error) {
	digits, flexible := strings.CutPrefix(value, "+")
	if value == "" {
		return IPNumber{}, errorf(KeyIPPoolIPNumber, "value is empty; expected %s", ipNumberForm)
	}
	if strings.HasPrefix(value, "-") || strings.HasPrefix(digits, "-") {
		return IPNumber{}, errorf(KeyIPPoolIPNumber, "%q is negative; expected %s", value, ipNumberForm)
	}
	if strings.Contains(digits, "+") {
		return IPNumber{}, errorf(KeyIPPoolIPNumber, "%q has more than one '+' or a '+' not in front; expected %s",
			value, ipNumberForm)
	}
	// ParseUint takes digits only (no sign, no space); 31 bits fit an int
	// on every platform.
	n, err := strconv.ParseUint(digits, 10, 31)
	if err != nil {
		return IPNumber{}, errorf(KeyIPPoolIPNumber, "%q is not a whole number below 2^31; expected %s",
			value, ipNumberForm)
	}
	return IPNumber{Flexible: flexible, N: int(n)}, nil
}

// String returns the annotation form: "N" or "+N".
func (n IPNumber) String() string {
	if n.Flexible {
		return "+" + strconv.Itoa(n.N)
	}
	return strconv.Itoa(n.N)
}

// Size is the pool size for an application with the given replicas.
func (n IPNumber) Size(replicas int) int {
	if n.Flexible {
		return replicas + n.N
	}
	return n.N
}

// ParseReclaim parses a [KeyIPPoolReclaim] value with strconv.ParseBool
// ("true", "false", "1", "0", "t", "f" in any of Go's accepted cases).
// Spiderpool's default when the annotation is absent is true.
func ParseReclaim(value string) (bool, error) {
	b, err := strconv.ParseBool(value)
	if err != nil {
		return false, errorf(KeyIPPoolReclaim, "%q is not a boolean; expected \"true\" or \"false\"", value)
	}
	return b, nil
}

// ParseDefaultRouteNIC parses a [KeyDefaultRouteNIC] value: the name of the
// pod interface that keeps the default route.
func ParseDefaultRouteNIC(value string) (string, error) {
	if err := checkIfName(KeyDefaultRouteNIC, "value", value); err != nil {
		return "", err
	}
	return value, nil
}
