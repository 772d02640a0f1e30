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
// The plugin runs as root, and the configuration may come from a
// NetworkAttachmentDefinition written by a namespace's admin, so [Load]
// keeps ipam.log_file_path and ipam.ipam_unix_socket_path inside [Roots]
// (/var/log/spidernet and /var/run/spidernet): a path outside is replaced
// by the default and noted in IPAMConfig.Ignored rather than refused, so
// the pods of that network still get addresses. [LoadConfined] takes other
// roots, such as a lab node's ([EnvRoot]).
//
// The package does no I/O and keeps no state.
package netconf
