// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package multusconf_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"sigs.k8s.io/yaml"

	spiderpoolv2beta1 "github.com/spiderpool-go/spiderpool/api/v2beta1"
	"github.com/spiderpool-go/spiderpool/internal/multusconf"
	"github.com/spiderpool-go/spiderpool/internal/validation"
)

var update = flag.Bool("update", false, "rewrite testdata/*.nad.json from the generator (review every diff)")

// golden is what a testdata/<case>.nad.json file holds: the generated
// NAD's name, annotations and spec.config (as JSON, or null when empty).
type golden struct {
	Name        string            `json:"name"`
	Annotations map[string]string `json:"annotations,omitempty"`
	Config      json.RawMessage   `json:"config"`
}

// loadSMC reads testdata/<case>.smc.yaml and, unless the case's name
// starts with "raw-", applies the mutating webhook's defaults, as the API
// server would before storing it.
func loadSMC(t *testing.T, path string) *spiderpoolv2beta1.SpiderMultusConfig {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	smc := &spiderpoolv2beta1.SpiderMultusConfig{}
	if err := yaml.UnmarshalStrict(data, smc); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	if !strings.HasPrefix(filepath.Base(path), "raw-") {
		validation.DefaultMultusConfig(smc)
	}
	return smc
}

// TestGolden generates the NAD of every testdata/*.smc.yaml and compares
// it with testdata/*.nad.json: name and annotations, then spec.config as
// parsed JSON, value by value, and the order of the keys of every object.
func TestGolden(t *testing.T) {
	inputs, err := filepath.Glob("testdata/*.smc.yaml")
	if err != nil || len(inputs) == 0 {
		t.Fatalf("no golden inputs: %v", err)
	}
	for _, in := range inputs {
		name := strings.TrimSuffix(filepath.Base(in), ".smc.yaml")
		t.Run(name, func(t *testing.T) {
			nad, err := multusconf.NAD(loadSMC(t, in))
			if err != nil {
				t.Fatal(err)
			}
			got := golden{Name: nad.Name, Annotations: nad.Annotations, Config: json.RawMessage("null")}
			if nad.Spec.Config != "" {
				got.Config = json.RawMessage(nad.Spec.Config)
			}
			compareGolden(t, filepath.Join("testdata", name+".nad.json"), got)
		})
	}
}

// compareGolden compares got with the golden file at path, or rewrites it
// with -update.
func compareGolden(t *testing.T, path string, got golden) {
	t.Helper()
	if *update {
		out, err := json.MarshalIndent(got, "", "  ")
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, append(out, '\n'), 0o600); err != nil {
			t.Fatal(err)
		}
		return
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	var want golden
	if err := json.Unmarshal(data, &want); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	if got.Name != want.Name {
		t.Errorf("name %q, want %q", got.Name, want.Name)
	}
	if diff := cmp.Diff(want.Annotations, got.Annotations); diff != "" {
		t.Errorf("annotations (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(parse(t, want.Config), parse(t, got.Config)); diff != "" {
		t.Errorf("spec.config (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(keyOrder(t, want.Config), keyOrder(t, got.Config)); diff != "" {
		t.Errorf("key order of spec.config (-want +got):\n%s", diff)
	}
}

// parse decodes JSON into maps, slices and json.Numbers.
func parse(t *testing.T, raw json.RawMessage) any {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		t.Fatalf("parse %s: %v", raw, err)
	}
	return v
}

// keyOrder lists the keys of every JSON object in raw in the order they
// appear, each prefixed by the path of its object.
func keyOrder(t *testing.T, raw json.RawMessage) []string {
	t.Helper()
	var keys []string
	if err := walkKeys(json.NewDecoder(bytes.NewReader(raw)), "", &keys); err != nil {
		t.Fatalf("walk %s: %v", raw, err)
	}
	return keys
}

// walkKeys reads one JSON value from dec, appending the keys of its
// objects to keys.
func walkKeys(dec *json.Decoder, path string, keys *[]string) error {
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	switch tok {
	case json.Delim('{'):
		for dec.More() {
			key, err := dec.Token()
			if err != nil {
				return err
			}
			*keys = append(*keys, fmt.Sprintf("%s.%v", path, key))
			if err := walkKeys(dec, fmt.Sprintf("%s.%v", path, key), keys); err != nil {
				return err
			}
		}
		_, err = dec.Token()
	case json.Delim('['):
		for i := 0; dec.More(); i++ {
			if err := walkKeys(dec, fmt.Sprintf("%s[%d]", path, i), keys); err != nil {
				return err
			}
		}
		_, err = dec.Token()
	}
	return err
}
