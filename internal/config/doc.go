// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

// Package config loads the configuration of spiderpool-agent,
// spiderpool-controller and spiderpool-init the way Spiderpool v1.0 does, so
// the same ConfigMap and the same environment work unchanged
// (docs/reference/interface.md §4).
//
// # ConfigMap
//
// [LoadConfigMap] reads conf.yml of the ConfigMap spiderpool-conf, mounted at
// [DefaultConfigMapPath], into a [ConfigMap]; [ParseConfigMap] does the same
// from bytes. Unknown keys are ignored. Keys are matched exactly (case
// sensitive) and a duplicated key is an error, as with the yaml.v3 decoder
// Spiderpool uses. A key whose value has the wrong type is a [*KeyError]
// naming the key; every such key is reported, joined with errors.Join.
//
// Two spellings of the auto-pool redundant-IP default are read
// (docs/compatibility.md #3): clusterSubnetDefaultFlexibleIPNumber, which
// the chart writes and the docs name, and
// clusterSubnetAutoPoolDefaultRedundantIPNumber, which Spiderpool's code
// reads. When both are set, the documented
// clusterSubnetDefaultFlexibleIPNumber wins.
//
// # Environment
//
// [ParseAgentEnv], [ParseControllerEnv] and [ParseInitEnv] read the
// variables of docs/reference/interface.md §4.2-§4.4 through a lookup
// function (os.LookupEnv in production), never from process state directly.
//
// Agent and controller follow Spiderpool's rule: a variable that is set gives
// its value with surrounding spaces trimmed; one that is not set gives its
// default. An empty result is an error for a required variable and the zero
// value (false, 0, "") for any other, even one whose default is not zero.
// Bools are parsed with strconv.ParseBool, numbers as non-negative decimal
// integers, ports as 0-65535, and the durations Spiderpool gives in seconds
// become time.Duration fields. The controller reads both
// SPIDERPOOL_COORDINATOR_DEFAULT_NAME and Spiderpool's misspelled
// SPIDERPOOL_COORDINATOR_DEAFULT_NAME (docs/compatibility.md #4); the correct
// spelling wins when both are set.
//
// spiderpool-init follows its own rule in Spiderpool: double quotes are
// removed from every value (the chart quotes JSON lists), and an empty value
// counts as unset. Default pools and the default coordinator are read only
// when they are named, and their CIDR, gateway and ranges are checked for the
// pool's IP family.
//
// Every problem is a [*EnvError] that names the variable, the value and the
// expected form; all problems are reported together, joined with errors.Join.
//
// [ParseLogLevel] turns SPIDERPOOL_LOG_LEVEL into the zapcore.Level of the
// commands' logger (package logging).
package config
