// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package webhook

import (
	"strings"

	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
)

// HealthCheckPath answers GET with 200 once the webhook server serves; the
// controller's probes use it (docs/reference/interface.md §2.9).
const HealthCheckPath = "/webhook-health-check"

// pathSuffix is "<group with dashes>-<version>", as controller-runtime
// builds webhook paths.
var pathSuffix = strings.ReplaceAll(spiderpoolv2beta1.GroupName, ".", "-") + "-" + spiderpoolv2beta1.GroupVersion.Version

// MutatePath returns the path of the mutating webhook of kind, e.g.
// "/mutate-spiderpool-spidernet-io-v2beta1-spiderippool".
func MutatePath(kind string) string {
	return "/mutate-" + pathSuffix + "-" + strings.ToLower(kind)
}

// ValidatePath returns the path of the validating webhook of kind, e.g.
// "/validate-spiderpool-spidernet-io-v2beta1-spiderippool".
func ValidatePath(kind string) string {
	return "/validate-" + pathSuffix + "-" + strings.ToLower(kind)
}
