// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package webhook

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"

	corev1 "k8s.io/api/core/v1"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	crwebhook "sigs.k8s.io/controller-runtime/pkg/webhook"
	"sigs.k8s.io/controller-runtime/pkg/webhook/admission"

	nadv1 "github.com/spiderpool-go/spiderpool/api/k8scni/v1"
	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
)

// ErrSchemeMissingNAD is returned by Setup when the SpiderMultusConfig
// webhooks are on but the manager's scheme lacks NetworkAttachmentDefinition.
var ErrSchemeMissingNAD = errors.New("the manager's scheme lacks k8s.cni.cncf.io/v1 NetworkAttachmentDefinition (add api/k8scni/v1)")

// hooks is one kind's pair of webhooks.
type hooks struct {
	obj        client.Object
	kind       string
	resource   string // plural, for the webhook configurations
	deleteRule bool   // the validator has a rule for DELETE
	defaulter  admission.CustomDefaulter
	validator  admission.CustomValidator
}

// Setup registers the webhooks opts selects on mgr's webhook server, at
// MutatePath and ValidatePath of each kind and PodMutatePath for pods (it
// reads Namespaces through the manager's cache), and the GET HealthCheckPath
// unless the server already serves it. The manager's scheme must know the
// Spiderpool types.
func Setup(mgr ctrl.Manager, opts Options) error {
	if opts.EnableMultusConfig && !mgr.GetScheme().Recognizes(nadv1.GroupVersion.WithKind("NetworkAttachmentDefinition")) {
		return ErrSchemeMissingNAD
	}
	reader := opts.Reader
	if reader == nil {
		reader = mgr.GetAPIReader()
	}
	for _, h := range enabledHooks(reader, opts) {
		err := ctrl.NewWebhookManagedBy(mgr).For(h.obj).
			WithDefaulter(h.defaulter).WithDefaulterCustomPath(MutatePath(h.kind)).
			WithValidator(h.validator).WithValidatorCustomPath(ValidatePath(h.kind)).
			Complete()
		if err != nil {
			return fmt.Errorf("register %s webhooks: %w", h.kind, err)
		}
	}
	if opts.PodResourceInject.Enabled {
		pods := &podInjectHooks{namespaces: mgr.GetClient(), configs: reader}
		err := ctrl.NewWebhookManagedBy(mgr).For(&corev1.Pod{}).
			WithDefaulter(pods).WithDefaulterCustomPath(PodMutatePath).Complete()
		if err != nil {
			return fmt.Errorf("register Pod webhook: %w", err)
		}
	}
	registerHealthCheck(mgr.GetWebhookServer())
	return nil
}

// registerHealthCheck serves HealthCheckPath unless the server already
// does (spiderpool-controller registers its own for its probes): a second
// registration would panic.
func registerHealthCheck(srv crwebhook.Server) {
	probe := &http.Request{Method: http.MethodGet, URL: &url.URL{Path: HealthCheckPath}}
	if _, pattern := srv.WebhookMux().Handler(probe); pattern == HealthCheckPath {
		return
	}
	srv.Register(HealthCheckPath, http.HandlerFunc(healthCheck))
}

// enabledHooks returns the webhooks opts selects, reading through reader.
func enabledHooks(reader client.Reader, opts Options) []hooks {
	rules := opts.rules()
	protect := opts.EnableValidatingResourcesDeletedWebhook
	pool := &ipPoolHooks{reader: reader, rules: rules, protectDeletion: protect}
	rip := &reservedIPHooks{rules: rules}
	out := []hooks{
		{&spiderpoolv2beta1.SpiderIPPool{}, spiderpoolv2beta1.KindSpiderIPPool, ipPoolResource, true, pool, pool},
		{&spiderpoolv2beta1.SpiderReservedIP{}, spiderpoolv2beta1.KindSpiderReservedIP, "spiderreservedips", false, rip, rip},
	}
	if opts.EnableSpiderSubnet {
		subnet := &subnetHooks{reader: reader, rules: rules, protectDeletion: protect}
		out = append(out, hooks{&spiderpoolv2beta1.SpiderSubnet{}, spiderpoolv2beta1.KindSpiderSubnet, subnetResource, true, subnet, subnet})
	}
	if opts.EnableCoordinator {
		out = append(out, hooks{&spiderpoolv2beta1.SpiderCoordinator{}, spiderpoolv2beta1.KindSpiderCoordinator,
			"spidercoordinators", false, coordinatorHooks{}, coordinatorHooks{}})
	}
	if opts.EnableMultusConfig {
		smc := &multusConfigHooks{reader: reader}
		out = append(out, hooks{&spiderpoolv2beta1.SpiderMultusConfig{}, spiderpoolv2beta1.KindSpiderMultusConfig,
			"spidermultusconfigs", false, smc, smc})
	}
	return out
}

// healthCheck answers GET with 200 and no body.
func healthCheck(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		w.WriteHeader(http.StatusMethodNotAllowed)
		return
	}
	w.WriteHeader(http.StatusOK)
}
