// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package webhook

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/google/go-cmp/cmp"
	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	"k8s.io/utils/ptr"

	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
)

var allOn = Options{EnableIPv4: true, EnableIPv6: true, EnableSpiderSubnet: true,
	EnableValidatingResourcesDeletedWebhook: true, EnableCoordinator: true, EnableMultusConfig: true}

func TestPaths(t *testing.T) {
	// docs/reference/interface.md §2.9: controller-runtime's paths for group
	// spiderpool.spidernet.io.
	for kind, suffix := range map[string]string{
		spiderpoolv2beta1.KindSpiderIPPool:       "spiderippool",
		spiderpoolv2beta1.KindSpiderSubnet:       "spidersubnet",
		spiderpoolv2beta1.KindSpiderReservedIP:   "spiderreservedip",
		spiderpoolv2beta1.KindSpiderCoordinator:  "spidercoordinator",
		spiderpoolv2beta1.KindSpiderMultusConfig: "spidermultusconfig",
	} {
		if got, want := MutatePath(kind), "/mutate-spiderpool-spidernet-io-v2beta1-"+suffix; got != want {
			t.Errorf("MutatePath(%s) = %s, want %s", kind, got, want)
		}
		if got, want := ValidatePath(kind), "/validate-spiderpool-spidernet-io-v2beta1-"+suffix; got != want {
			t.Errorf("ValidatePath(%s) = %s, want %s", kind, got, want)
		}
	}
}

// hookSummary is what matters of one webhook for the tests.
type hookSummary struct {
	Name, Path, Resource string
	Ops                  []admissionregistrationv1.OperationType
}

func summarise(name string, cc admissionregistrationv1.WebhookClientConfig, rules []admissionregistrationv1.RuleWithOperations) hookSummary {
	path := ""
	if cc.Service != nil {
		path = *cc.Service.Path
	}
	return hookSummary{Name: name, Path: path, Resource: rules[0].Resources[0], Ops: rules[0].Operations}
}

func TestConfigurations(t *testing.T) {
	svc := &admissionregistrationv1.ServiceReference{Namespace: "kube-system", Name: "spiderpool-controller", Port: ptr.To[int32](5722)}
	mut, val := Configurations("spiderpool-controller", Endpoint{Service: svc, CABundle: []byte("ca")}, allOn)
	cu := []admissionregistrationv1.OperationType{admissionregistrationv1.Create, admissionregistrationv1.Update}
	cud := append(cu[:2:2], admissionregistrationv1.Delete)
	var gotMut, gotVal []hookSummary
	for _, h := range mut.Webhooks {
		gotMut = append(gotMut, summarise(h.Name, h.ClientConfig, h.Rules))
		checkCommon(t, h.Name, h.FailurePolicy, h.SideEffects, h.AdmissionReviewVersions, h.ClientConfig)
	}
	for _, h := range val.Webhooks {
		gotVal = append(gotVal, summarise(h.Name, h.ClientConfig, h.Rules))
		checkCommon(t, h.Name, h.FailurePolicy, h.SideEffects, h.AdmissionReviewVersions, h.ClientConfig)
	}
	wantMut := []hookSummary{
		{"spiderippool.spiderpool.spidernet.io", "/mutate-spiderpool-spidernet-io-v2beta1-spiderippool", "spiderippools", cu},
		{"spiderreservedip.spiderpool.spidernet.io", "/mutate-spiderpool-spidernet-io-v2beta1-spiderreservedip", "spiderreservedips", cu},
		{"spidersubnet.spiderpool.spidernet.io", "/mutate-spiderpool-spidernet-io-v2beta1-spidersubnet", "spidersubnets", cu},
		{"spidercoordinator.spiderpool.spidernet.io", "/mutate-spiderpool-spidernet-io-v2beta1-spidercoordinator", "spidercoordinators", cu},
		{"spidermultusconfig.spiderpool.spidernet.io", "/mutate-spiderpool-spidernet-io-v2beta1-spidermultusconfig", "spidermultusconfigs", cu},
	}
	wantVal := []hookSummary{
		{"spiderippool.spiderpool.spidernet.io", "/validate-spiderpool-spidernet-io-v2beta1-spiderippool", "spiderippools", cud},
		{"spiderreservedip.spiderpool.spidernet.io", "/validate-spiderpool-spidernet-io-v2beta1-spiderreservedip", "spiderreservedips", cu},
		{"spidersubnet.spiderpool.spidernet.io", "/validate-spiderpool-spidernet-io-v2beta1-spidersubnet", "spidersubnets", cud},
		{"spidercoordinator.spiderpool.spidernet.io", "/validate-spiderpool-spidernet-io-v2beta1-spidercoordinator", "spidercoordinators", cu},
		{"spidermultusconfig.spiderpool.spidernet.io", "/validate-spiderpool-spidernet-io-v2beta1-spidermultusconfig", "spidermultusconfigs", cu},
	}
	if diff := cmp.Diff(wantMut, gotMut); diff != "" {
		t.Errorf("mutating webhooks (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(wantVal, gotVal); diff != "" {
		t.Errorf("validating webhooks (-want +got):\n%s", diff)
	}
	if mut.Name != "spiderpool-controller" || val.Name != "spiderpool-controller" {
		t.Errorf("names %q and %q", mut.Name, val.Name)
	}
	if *svc.Port != 5722 || svc.Path != nil {
		t.Errorf("the caller's ServiceReference was modified: %+v", svc)
	}
}

// checkCommon checks what every webhook shares: fail closed, no side
// effects, admission/v1, the CA bundle.
func checkCommon(t *testing.T, name string, policy *admissionregistrationv1.FailurePolicyType, side *admissionregistrationv1.SideEffectClass,
	versions []string, cc admissionregistrationv1.WebhookClientConfig,
) {
	t.Helper()
	if *policy != admissionregistrationv1.Fail || *side != admissionregistrationv1.SideEffectClassNone ||
		!cmp.Equal(versions, []string{"v1"}) || string(cc.CABundle) != "ca" {
		t.Errorf("%s: failurePolicy %s, sideEffects %s, versions %v, caBundle %q", name, *policy, *side, versions, cc.CABundle)
	}
}

func TestConfigurationsSelection(t *testing.T) {
	mut, val := Configurations("x", Endpoint{URL: "https://10.0.0.5:5722/"}, Options{EnableIPv4: true})
	var names []string
	for _, h := range val.Webhooks {
		names = append(names, h.Name)
	}
	if want := []string{"spiderippool.spiderpool.spidernet.io", "spiderreservedip.spiderpool.spidernet.io"}; !cmp.Equal(names, want) {
		t.Errorf("webhooks %v, want %v (subnet, coordinator and multus config off)", names, want)
	}
	if got, want := *mut.Webhooks[0].ClientConfig.URL, "https://10.0.0.5:5722/mutate-spiderpool-spidernet-io-v2beta1-spiderippool"; got != want {
		t.Errorf("URL %s, want %s", got, want)
	}
	for _, h := range append(mut.Webhooks[:0:0], mut.Webhooks...) {
		for _, r := range h.Rules {
			if r.APIGroups[0] != spiderpoolv2beta1.GroupName {
				t.Errorf("%s intercepts group %v: only Spiderpool's own resources may be", h.Name, r.APIGroups)
			}
		}
	}
}

func TestHealthCheck(t *testing.T) {
	for method, want := range map[string]int{http.MethodGet: http.StatusOK, http.MethodHead: http.StatusOK, http.MethodPost: http.StatusMethodNotAllowed} {
		rec := httptest.NewRecorder()
		healthCheck(rec, httptest.NewRequest(method, HealthCheckPath, nil))
		if rec.Code != want {
			t.Errorf("%s %s = %d, want %d", method, HealthCheckPath, rec.Code, want)
		}
	}
}
