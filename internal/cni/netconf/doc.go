// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

// Package netconf parses the network configuration and CNI_ARGS given to the
// spiderpool IPAM plugin.
//
// The configuration is a CNI plugin config whose "ipam" block holds
// Spiderpool's fields (docs/reference/interface.md §5.1). [Load] decodes it,
// fills in Spiderpool's defaults and validates it. Every validation failure
// is a [*ConfigError] that matches [ErrInvalidConfig] with errors.Is, so the
// plugin can report it at the CNI boundary as types.ErrInvalidNetworkConfig
// (code 7).
//
// [ParseArgs] decodes CNI_ARGS with the standard types.LoadArgs rules
// (unknown keys are an error unless IgnoreUnknown is set). Its failures are
// [*ArgsError] values matching [ErrInvalidArgs]; the CNI code for bad
// environment input is types.ErrInvalidEnvironmentVariables (4).
//
// The package does no I/O and keeps no state.
package netconf
