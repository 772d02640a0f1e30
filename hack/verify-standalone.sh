#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Copyright Authors of spiderpool-go
#
# verify-standalone.sh checks that the repository stands on its own: no
# tracked file may point at a file outside it, and every docs/*.md path that
# a Go comment names must exist. It fails listing file:line for each
# offence.
#
# References outside the repository are:
#   - the team's former notes, by file name: behavior.md, decisions.md,
#     api.md, after-v1.0.md, user-asks.md (any name ending so, such as
#     spiderpool-api.md, counts too). Their content now lives in
#     docs/reference/behaviour.md, docs/reference/interface.md and
#     docs/compatibility.md;
#   - relative paths into ../shared;
#   - absolute /work/ paths (a path component, not part of a URL).
# This script itself is not searched.
#
#   hack/verify-standalone.sh
set -euo pipefail
cd "$(dirname "$0")/.."

self=hack/verify-standalone.sh
outside='\.\./shared|(behavior|decisions|api|after-v1\.0|user-asks)\.md|(^|[^[:alnum:]_.~-])/work/'
docpath='(^|[^[:alnum:]_./-])docs/[[:alnum:]_./-]+\.md'
failed=0

# grepTracked runs git grep over the tracked files; it prints the matches
# and succeeds whether or not anything matched, but fails on a real error.
grepTracked() {
  local rc=0
  git grep -nIE "$@" || rc=$?
  [[ $rc -le 1 ]] || { echo "verify-standalone: git grep failed (rc=$rc)" >&2; exit 2; }
}

hits="$(grepTracked "$outside" -- . ":(exclude)$self")"
if [[ -n $hits ]]; then
  failed=1
  echo "verify-standalone: references to files outside the repository (use docs/reference/behaviour.md," >&2
  echo "docs/reference/interface.md or docs/compatibility.md, with the same section numbers):" >&2
  while IFS= read -r hit; do
    file="${hit%%:*}" rest="${hit#*:}"
    line="${rest%%:*}" text="${rest#*:}"
    echo "  $file:$line: ${text#"${text%%[![:space:]]*}"}" >&2
  done <<<"$hits"
fi

# Every docs/...md path in a Go comment (the text after the first //) must
# name a file of the repository.
missing=()
while IFS= read -r hit; do
  file="${hit%%:*}" rest="${hit#*:}"
  line="${rest%%:*}" comment="${rest#*:}"
  comment="${comment#*//}"
  while read -r path; do
    [[ -n $path ]] || continue
    path="${path#"${path%%docs/*}"}"
    [[ -f $path ]] || missing+=("$file:$line: $path")
  done < <(grep -oE "$docpath" <<<"$comment" || true)
done < <(grepTracked "//.*docs/[[:alnum:]_./-]+\.md" -- '*.go')
if [[ ${#missing[@]} -gt 0 ]]; then
  failed=1
  echo "verify-standalone: Go comments name docs that do not exist:" >&2
  printf '  %s\n' "${missing[@]}" >&2
fi

if [[ $failed -ne 0 ]]; then
  exit 1
fi
echo "verify-standalone: ok (no references outside the repository; every docs/*.md named in Go comments exists)"
