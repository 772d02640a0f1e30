// SPDX-License-Identifier: Apache-2.0
// Copyright Authors of spiderpool-go

package annotation

import (
	"fmt"
	"path"
	"strings"
)

// maxIfNameLen is IFNAMSIZ minus the terminating NUL.
const maxIfNameLen = 15

// checkPoolNames validates a list of pool names at location where (such as
// `"ipv4"` or `item 1 "ipv6"`). Names may be shell wildcards (Go path.Match
// syntax). Duplicates are refused, as Spiderpool's precheck does.
func checkPoolNames(key, where string, names []string) error {
	seen := make(map[string]int, len(names))
	for i, name := range names {
		if name == "" {
			return errorf(key, "%s[%d] is empty; expected a pool name such as \"pool-a\" or a wildcard such as \"pool-*\"",
				where, i)
		}
		if _, err := path.Match(name, ""); err != nil {
			return errorf(key, "%s[%d] %q is not a valid wildcard pattern (%v); close every '[' or drop it",
				where, i, name, err)
		}
		if j, dup := seen[name]; dup {
			return errorf(key, "%s lists %q twice (at %d and %d); list each pool once", where, name, j, i)
		}
		seen[name] = i
	}
	return nil
}

// checkSubnetNames is checkPoolNames without wildcards: Spiderpool looks
// subnet names up literally.
func checkSubnetNames(key, where string, names []string) error {
	if err := checkPoolNames(key, where, names); err != nil {
		return err
	}
	for i, name := range names {
		if strings.ContainsAny(name, `*?[\`) {
			return errorf(key, "%s[%d] %q has wildcard characters; subnet names are matched literally", where, i, name)
		}
	}
	return nil
}

// ifNameProblem says why name cannot be a Linux interface name, or returns
// "" when it can. The rules are the kernel's dev_valid_name.
func ifNameProblem(name string) string {
	switch {
	case name == "":
		return "is empty"
	case len(name) > maxIfNameLen:
		return fmt.Sprintf("is longer than %d bytes", maxIfNameLen)
	case name == "." || name == "..":
		return "is not allowed"
	case strings.ContainsAny(name, "/:") || strings.ContainsFunc(name, isSpace):
		return "contains '/', ':' or white space"
	}
	return ""
}

func isSpace(r rune) bool {
	return r == ' ' || r == '\t' || r == '\n' || r == '\r' || r == '\v' || r == '\f'
}

// checkIfName validates an interface name found at where.
func checkIfName(key, where, name string) error {
	if p := ifNameProblem(name); p != "" {
		return errorf(key, "%s %q %s; expected a Linux interface name such as \"eth0\" or \"net1\" (1-%d bytes, "+
			"no '/', ':' or white space)", where, name, p, maxIfNameLen)
	}
	return nil
}
