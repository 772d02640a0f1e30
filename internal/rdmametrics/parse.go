// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package rdmametrics

import (
	"encoding/binary"
	"fmt"
	"strconv"
	"strings"
)

// RDMA netlink attributes of a port query (include/uapi/rdma/rdma_netlink.h).
const (
	attrPortIndex = 3
	attrNdevName  = 51
)

// ParseNetDevName returns the netdev name (RDMA_NLDEV_ATTR_NDEV_NAME) in
// the attributes of an RDMA_NLDEV_CMD_PORT_GET answer; "" when the port has
// none. Attributes are netlink TLVs: a 2-byte length, a 2-byte type, the
// value, padding to 4 bytes.
func ParseNetDevName(attrs []byte) (string, error) {
	for len(attrs) >= 4 {
		l := int(binary.NativeEndian.Uint16(attrs[0:2]))
		typ := binary.NativeEndian.Uint16(attrs[2:4]) &^ 0xc000
		if l < 4 || l > len(attrs) {
			return "", fmt.Errorf("rdma port attribute type %d: length %d outside the %d bytes left; the kernel answer is malformed", typ, l, len(attrs))
		}
		if typ == attrNdevName {
			return strings.TrimRight(string(attrs[4:l]), "\x00"), nil
		}
		attrs = attrs[min(align4(l), len(attrs)):]
	}
	if len(attrs) != 0 {
		return "", fmt.Errorf("rdma port answer ends in %d bytes too short for an attribute; the kernel answer is malformed", len(attrs))
	}
	return "", nil
}

func align4(n int) int { return (n + 3) &^ 3 }

// ParseTrafficClass reads the RoCE traffic class from the content of
// /sys/class/infiniband/<dev>/tc/<port>/traffic_class, which mlx5 writes as
// "Global tclass=106"; ok is false when no class is set.
func ParseTrafficClass(content string) (uint64, bool, error) {
	for _, line := range strings.Split(content, "\n") {
		_, val, found := strings.Cut(strings.TrimSpace(line), "tclass=")
		if !found {
			continue
		}
		v, err := strconv.ParseUint(strings.TrimSpace(val), 10, 8)
		if err != nil {
			return 0, false, fmt.Errorf("traffic_class %q: tclass must be 0-255: %w", line, err)
		}
		return v, true, nil
	}
	return 0, false, nil
}
