// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package multusconf_test

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"

	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
	"github.com/spiderpool-go/spiderpool/internal/multusconf"
)

// FuzzNAD feeds arbitrary SpiderMultusConfig JSON to the generator: it
// never panics, an error is about a field of the SMC (ErrInvalid, naming a
// spec or metadata path), and a generated configuration is JSON.
func FuzzNAD(f *testing.F) {
	inputs, _ := filepath.Glob("testdata/*.smc.yaml")
	for _, in := range inputs {
		data, err := os.ReadFile(in)
		if err != nil {
			f.Fatal(err)
		}
		js, err := yaml.YAMLToJSON(data)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(js)
	}
	f.Add([]byte(`{"spec":{"cniType":"macvlan","macvlan":{"master":["a","b"],"bond":null}}}`))
	f.Add([]byte(`{"spec":{"cniType":"ovs","ovs":{"trunk":[{"minID":5,"maxID":1}]}}}`))
	f.Add([]byte(`{"spec":{"cniType":"vlan","vlan":{"master":["a"],"vlanMode":"auto","vlanID":3}}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		smc := &spiderpoolv2beta1.SpiderMultusConfig{}
		if json.Unmarshal(data, smc) != nil {
			return
		}
		nad, err := multusconf.NAD(smc)
		if err != nil {
			namesField := strings.Contains(err.Error(), "spec") || strings.Contains(err.Error(), "metadata")
			if !errors.Is(err, multusconf.ErrInvalid) || !namesField {
				t.Fatalf("error %q does not name a field of the SpiderMultusConfig", err)
			}
			return
		}
		if c := nad.Spec.Config; c != "" && !json.Valid([]byte(c)) {
			t.Fatalf("config %q is not JSON", c)
		}
	})
}
