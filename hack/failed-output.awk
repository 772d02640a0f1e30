# SPDX-License-Identifier: Apache-2.0
# Copyright Authors of spiderpool-go
#
# failed-output.awk prints, from the output of "go test -v", the lines that
# the failing tests logged, each under its test's name: the parallel tests'
# lines are interleaved, and the tail of a long log seldom holds the reason.
# Usage: awk -f hack/failed-output.awk LOG LOG (the log twice: two passes).
FNR == NR {
	if (match($0, /--- FAIL: [^ ]+/)) failed[substr($0, RSTART + 10, RLENGTH - 10)] = 1
	next
}
/^=== (RUN|CONT|NAME|PAUSE)/ { current = $3; next }
/^ *--- (PASS|FAIL|SKIP): / { current = $3; next }
{
	name = current
	while (name != "" && !(name in failed)) {
		if (!sub(/\/[^\/]*$/, "", name)) name = ""
	}
	if (name == "") next
	if (current != shown) { print "--- output of " current ":"; shown = current }
	print
}
