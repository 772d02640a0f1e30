// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package agentapi

// The decoders of every wire type, for the fuzz tests of package
// agentapi_test; the server calls ReadRequest, the client decode.
var (
	DecodeAddRequest      = ReadRequest[AddRequest]
	DecodeDelRequest      = ReadRequest[DelRequest]
	DecodeBatchDelRequest = ReadRequest[BatchDelRequest]
	DecodeCheckRequest    = ReadRequest[CheckRequest]
	DecodeGCRequest       = ReadRequest[GCRequest]
	DecodeAddResponse     = ReadRequest[AddResponse]
	DecodeCheckResponse   = ReadRequest[CheckResponse]
	// DecodeCoordinatorConfig is the client's decoder of the coordinator
	// configuration.
	DecodeCoordinatorConfig = ReadRequest[CoordinatorConfig]
)
