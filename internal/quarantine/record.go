// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package quarantine

import (
	"encoding/json"
	"fmt"
	"net/netip"
	"time"

	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
)

// Annotation is the SpiderIPPool annotation that holds the pool's
// quarantined addresses: a JSON object from address to [Record].
const Annotation = "ipam.spidernet.io/quarantined-ips"

// ReasonConflict is the reason of an address another host answered for.
const ReasonConflict = "IPConflict"

// Record says why an address is quarantined.
type Record struct {
	// Reason is ReasonConflict.
	Reason string `json:"reason"`
	// MAC is the hardware address that answered for the address; empty
	// when the answer carried none.
	MAC string `json:"mac,omitempty"`
	// Pod is "namespace/name" of the pod that found the conflict.
	Pod string `json:"pod,omitempty"`
	// Node is the node of that pod.
	Node string `json:"node,omitempty"`
	// Since is when the address was first found in conflict.
	Since time.Time `json:"since"`
	// LastAnswer is the last time a probe for the address was answered.
	LastAnswer time.Time `json:"lastAnswer"`
}

// Records are a pool's quarantined addresses.
type Records map[netip.Addr]Record

// Parse decodes the annotation's value; "" is no record.
func Parse(value string) (Records, error) {
	if value == "" {
		return Records{}, nil
	}
	var raw map[string]Record
	if err := json.Unmarshal([]byte(value), &raw); err != nil {
		return nil, fmt.Errorf("annotation %s: %w; it must be a JSON object from IP address to record", Annotation, err)
	}
	out := make(Records, len(raw))
	for k, r := range raw {
		ip, err := netip.ParseAddr(k)
		if err != nil {
			return nil, fmt.Errorf("annotation %s: key %q is not an IP address", Annotation, k)
		}
		out[ip.Unmap()] = r
	}
	return out, nil
}

// Format encodes records for the annotation, with sorted keys.
func (r Records) Format() string {
	raw := make(map[string]Record, len(r))
	for ip, rec := range r {
		raw[ip.String()] = rec
	}
	data, _ := json.Marshal(raw) // a map of plain structs always encodes
	return string(data)
}

// Of returns the records of pool; an unreadable annotation reads as none,
// with its error.
func Of(pool *spiderpoolv2beta1.SpiderIPPool) (Records, error) {
	return Parse(pool.Annotations[Annotation])
}

// Addrs returns the quarantined addresses of pool; nil when it has none
// or its annotation cannot be read.
func Addrs(pool *spiderpoolv2beta1.SpiderIPPool) map[netip.Addr]bool {
	value := pool.Annotations[Annotation]
	if value == "" {
		return nil
	}
	recs, err := Parse(value)
	if err != nil {
		return nil
	}
	out := make(map[netip.Addr]bool, len(recs))
	for ip := range recs {
		out[ip] = true
	}
	return out
}
