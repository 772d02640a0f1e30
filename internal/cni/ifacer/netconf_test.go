// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package ifacer

import (
	"errors"
	"strings"
	"testing"
)

func TestLoadNetConf(t *testing.T) {
	conf, err := LoadNetConf([]byte(`{"cniVersion":"1.0.0","name":"n","type":"ifacer","interfaces":["eth1","eth2"],"vlanID":100,
		"bond":{"mode":1,"options":"miimon=100; arp_ip_target=[10.0.0.1,10.0.0.2] ;lacp_rate=fast;"}}`))
	if err != nil {
		t.Fatalf("LoadNetConf: %v", err)
	}
	if conf.Bond.Name != DefaultBondName || len(conf.BondOptions) != 3 {
		t.Errorf("got bond %+v options %+v; want the default name and three options", conf.Bond, conf.BondOptions)
	}
	b, err := conf.newBond()
	if err != nil || b.Miimon != 100 || len(b.ArpIpTargets) != 2 || b.LacpRate != 1 || b.Mode != 1 {
		t.Errorf("bond %+v, %v", b, err)
	}
}

func TestLoadNetConfErrors(t *testing.T) {
	tests := map[string]struct{ doc, text string }{
		"no interfaces":  {`"interfaces":[]`, `"interfaces" is empty`},
		"bad name":       {`"interfaces":["a/b"]`, `"interfaces[0]"`},
		"VLAN range":     {`"interfaces":["eth1"],"vlanID":4095`, `"vlanID" 4095 is out of range`},
		"bond mode":      {`"interfaces":["eth1","eth2"],"bond":{"mode":7}`, `"bond.mode" 7`},
		"unknown option": {`"interfaces":["eth1","eth2"],"bond":{"mode":1,"options":"miimon=1;speed=10"}`, `"bond.options item 2" "speed"`},
		"bad value":      {`"interfaces":["eth1","eth2"],"bond":{"mode":1,"options":"xmit_hash_policy=fastest"}`, "layer3+4"},
		"not key=value":  {`"interfaces":["eth1","eth2"],"bond":{"mode":1,"options":"miimon"}`, "not key=value"},
		"version":        {`"cniVersion":"0.2.0","interfaces":["eth1"]`, `"cniVersion"`},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			doc := `{"cniVersion":"1.0.0","type":"ifacer",` + tt.doc + `}`
			if strings.Contains(tt.doc, "cniVersion") {
				doc = `{"type":"ifacer",` + tt.doc + `}`
			}
			_, err := LoadNetConf([]byte(doc))
			if !errors.Is(err, ErrInvalidConfig) || !strings.Contains(err.Error(), tt.text) {
				t.Errorf("got %v, want an invalid config error with %q", err, tt.text)
			}
		})
	}
}

func FuzzLoadNetConf(f *testing.F) {
	for _, s := range []string{
		`{"cniVersion":"1.0.0","type":"ifacer","interfaces":["eth1"],"vlanID":100}`,
		`{"cniVersion":"1.1.0","type":"ifacer","interfaces":["eth1","eth2"],"bond":{"name":"b","mode":4,"options":"miimon=100;arp_ip_target=[10.0.0.1]"}}`,
		`{"cniVersion":"0.4.0","interfaces":["x"],"prevResult":{"cniVersion":"0.4.0"}}`, "{", "",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		conf, err := LoadNetConf(data)
		if err != nil {
			if !errors.Is(err, ErrInvalidConfig) {
				t.Fatalf("error %v does not match ErrInvalidConfig", err)
			}
			return
		}
		if conf.Bond != nil {
			if _, err := conf.newBond(); err != nil {
				t.Fatalf("LoadNetConf accepted options newBond refuses: %v", err)
			}
		}
		if _, err := setUpDevices(newFakeLinks(), conf); err != nil && errors.Is(err, ErrInvalidConfig) && !strings.Contains(err.Error(), "longer than") {
			t.Fatalf("setUpDevices found a config error LoadNetConf missed: %v", err)
		}
	})
}
