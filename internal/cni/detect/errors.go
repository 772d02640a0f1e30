// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package detect

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"time"
)

// ErrConflict is matched by a [*ConflictError].
var ErrConflict = errors.New("IP conflict")

// ErrGatewayUnreachable is matched by a [*GatewayError].
var ErrGatewayUnreachable = errors.New("gateway unreachable")

// ConflictError says that another host answered for the pod's address.
// Its text is Spiderpool's.
type ConflictError struct {
	// IfName is the pod interface the address was meant for.
	IfName string
	// IP is the address in conflict.
	IP netip.Addr
	// MAC is the hardware address of the host that answered.
	MAC net.HardwareAddr
}

func (e *ConflictError) Error() string {
	return fmt.Sprintf("pod's interface %s with an conflicting ip %s, %s is located at %s", e.IfName, e.IP, e.IP, e.MAC)
}

// Is makes errors.Is(err, ErrConflict) true.
func (e *ConflictError) Is(target error) bool { return target == ErrConflict }

// GatewayError says that the gateway did not answer. Its text is
// Spiderpool's.
type GatewayError struct {
	// Gateway is the address that did not answer.
	Gateway netip.Addr
}

func (e *GatewayError) Error() string { return fmt.Sprintf("gateway %s is unreachable", e.Gateway) }

// Is makes errors.Is(err, ErrGatewayUnreachable) true.
func (e *GatewayError) Is(target error) bool { return target == ErrGatewayUnreachable }

// Timing bounds the probes.
type Timing struct {
	// Read is how long the probe listens for an answer after each send.
	Read time.Duration
	// Sends is how many probes are sent at most.
	Sends int
	// Watchdog bounds the probing of one family, whatever the reads do.
	Watchdog time.Duration
	// LinkLocalWait bounds the wait for the IPv6 link-local address to
	// leave the tentative state (DAD).
	LinkLocalWait time.Duration
}

// DefaultTiming is Spiderpool's: 100 ms reads, 3 sends, a 1 s watchdog
// and up to 10 s for the link-local address.
var DefaultTiming = Timing{Read: 100 * time.Millisecond, Sends: 3, Watchdog: time.Second, LinkLocalWait: 10 * time.Second}
