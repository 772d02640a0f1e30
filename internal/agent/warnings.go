// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package agent

import (
	"context"
	"strings"

	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/log"
)

// finalizerNameWarning starts the API server's warning (Kubernetes 1.34+)
// about finalizer names without a path. Spiderpool's finalizer,
// "spiderpool.spidernet.io", stays for drop-in compatibility, so the
// warning would be logged for every SpiderEndpoint the agent creates.
const finalizerNameWarning = `metadata.finalizers: "spiderpool.spidernet.io": prefer a domain-qualified finalizer name`

// quietWarnings drops that one warning and passes the others on.
type quietWarnings struct {
	next rest.WarningHandlerWithContext
}

// HandleWarningHeaderWithContext implements rest.WarningHandlerWithContext.
func (q quietWarnings) HandleWarningHeaderWithContext(ctx context.Context, code int, agent, text string) {
	if strings.HasPrefix(text, finalizerNameWarning) {
		return
	}
	q.next.HandleWarningHeaderWithContext(ctx, code, agent, text)
}

// apiWarnings is the agent's handler of API warnings: controller-runtime's
// logger, each distinct warning once, without the finalizer-name one.
func apiWarnings() rest.WarningHandlerWithContext {
	return quietWarnings{next: log.NewKubeAPIWarningLogger(log.KubeAPIWarningLoggerOptions{Deduplicate: true})}
}
