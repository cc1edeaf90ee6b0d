#!/usr/bin/env bash
# The MCP conformance suite against the built server's Streamable HTTP endpoint, once per protocol
# era: the requirement sets of revisions 2025-11-25 (served by the stateless 2025 fallback) and
# 2026-07-28. Each run is held to its committed baseline, conformance/expected-failures.<rev>.yaml:
# a check failing that is not listed fails, and so does a listed one that now passes.
#
# The suite needs Node 22; npx brings it (`-p node@22`) without touching the Node 20 the server runs
# on. The version is pinned: a new suite release is adopted on purpose, with its baseline.
# Usage: scripts/conformance.sh            (CI runs it from .ci/run; not part of npm test)
set -euo pipefail

SUITE='@modelcontextprotocol/conformance@0.2.0-alpha.12'
REVISIONS=(2025-11-25 2026-07-28)

root="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
server_pid=
cleanup() { [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
say() { printf '[conformance] %s\n' "$*" >&2; }
start=$(date +%s)

cd "$root"
[ -f dist/cli/main.js ] || npm run build >/dev/null

# The suite's client fires many requests from one address: the per-caller rate limit (tested in
# test/security) is off (0) so it measures the protocol. An empty HOME keeps this machine's config out.
mkdir -p "$work/home"
HOME="$work/home" KUBEFLOW_MCP_LOG_LEVEL=warn node dist/cli/main.js serve --transport http --port 0 \
  --backend local --rate-limit 0 --audit-log off 2>"$work/server.err" &
server_pid=$!
url=
for _ in $(seq 1 100); do
  url="$(grep -oE 'MCP endpoint \(Streamable HTTP\): \S+' "$work/server.err" | awk '{print $NF}' || true)"
  [ -n "$url" ] && break
  kill -0 "$server_pid" 2>/dev/null || break
  sleep 0.1
done
[ -n "$url" ] || { say "the server did not start:"; cat "$work/server.err" >&2; exit 1; }
say "server at $url; suite $SUITE"

failed=()
for rev in "${REVISIONS[@]}"; do
  t0=$(date +%s)
  if npx -y -p node@22 -p "$SUITE" conformance server --url "$url" --requirements "$rev" \
      --expected-failures "conformance/expected-failures.$rev.yaml" -o "$work/results-$rev" >"$work/$rev.log" 2>&1; then
    checks="$(grep -E '^Total:' "$work/$rev.log" | tail -1 | sed -E 's/Total: ([0-9]+) passed, ([0-9]+) failed/\1 checks pass, \2 fail as listed/')"
    say "$rev: baseline holds ($checks) in $(($(date +%s) - t0)) s"
  else
    failed+=("$rev")
    say "$rev: FAILED against conformance/expected-failures.$rev.yaml:"
    sed -n '/=== SUMMARY ===/,$p' "$work/$rev.log" | grep -v 'npm warn' >&2 || tail -40 "$work/$rev.log" >&2
  fi
done

kill -0 "$server_pid" 2>/dev/null || { say "the server died during the suite:"; cat "$work/server.err" >&2; exit 1; }
[ ${#failed[@]} -eq 0 ] || { say "failed: ${failed[*]}"; exit 1; }
say "ok: ${REVISIONS[*]} in $(($(date +%s) - start)) s"
