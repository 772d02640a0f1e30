// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package netconf_test

import (
	"errors"
	"fmt"

	"github.com/containernetworking/cni/pkg/types"

	"github.com/spiderpool-go/spiderpool/internal/cni/netconf"
)

// A plugin maps Load failures to the CNI "invalid network config" code.
func ExampleLoad_cniError() {
	_, err := netconf.Load([]byte(`{"cniVersion":"1.0.0","ipam":{"type":"spiderpool","log_level":"loud"}}`))
	if errors.Is(err, netconf.ErrInvalidConfig) {
		err = types.NewError(types.ErrInvalidNetworkConfig, "invalid network config", err.Error())
	}
	var cniErr *types.Error
	if errors.As(err, &cniErr) {
		fmt.Println(cniErr.Code)
		fmt.Println(cniErr.Details)
	}
	// Output:
	// 7
	// invalid spiderpool network config: "ipam.log_level" "loud" is not a log level; use one of debug, info, warn, error, fatal, panic (any case)
}
