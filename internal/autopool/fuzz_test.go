// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package autopool_test

import (
	"testing"

	"k8s.io/apimachinery/pkg/types"

	"github.com/spiderpool-go/spiderpool/internal/autopool"
)

// FuzzParseApplication checks that a parsed application formats back to
// its input (with the core group's form).
func FuzzParseApplication(f *testing.F) {
	for _, s := range []string{"apps_v1_Deployment_ns_web", "v1_Pod_ns_p", "", "____", "a_b_c_d_e_f"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		app, err := autopool.ParseApplication(s)
		if err != nil {
			return
		}
		again, err := autopool.ParseApplication(app.Application())
		if err != nil || again != app {
			t.Fatalf("ParseApplication(%q) = %+v; re-parse of %q = %+v, %v", s, app, app.Application(), again, err)
		}
	})
}

// FuzzPoolName checks that names always fit 253 characters and end with
// the interface and UID parts.
func FuzzPoolName(f *testing.F) {
	f.Add("nginx", "eth0", "1b4e28ba-2fa1-11d2-883f-0016d3cca427")
	f.Fuzz(func(t *testing.T, app, ifName, uid string) {
		if len(ifName) > 15 {
			return
		}
		if got := autopool.PoolName(4, app, ifName, types.UID(uid)); len(got) > 253 {
			t.Fatalf("PoolName too long: %d", len(got))
		}
	})
}
