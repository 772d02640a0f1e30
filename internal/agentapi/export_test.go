// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package agentapi

// The decoders of every wire type, for the fuzz tests of package
// agentapi_test; the server and the client call decodeAs and decode.
var (
	DecodeAddRequest      = decodeAs[AddRequest]
	DecodeDelRequest      = decodeAs[DelRequest]
	DecodeBatchDelRequest = decodeAs[BatchDelRequest]
	DecodeCheckRequest    = decodeAs[CheckRequest]
	DecodeGCRequest       = decodeAs[GCRequest]
	DecodeAddResponse     = decodeAs[AddResponse]
	DecodeCheckResponse   = decodeAs[CheckResponse]
	// DecodeCoordinatorConfig is the client's decoder of the coordinator
	// configuration.
	DecodeCoordinatorConfig = decodeAs[CoordinatorConfig]
)
