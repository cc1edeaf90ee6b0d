#!/usr/bin/env bash
# The npm package as a user gets it: `npm pack` (prepack builds from a clean dist/), installed
# into an empty folder from the tarball (dependencies from the npm cache, else the registry), then
# `npx kubeflow-mcp --help`, `tools list` (without and with the optional tokenizer) and `serve`
# over stdio (tools/list) and HTTP (/readyz, then SIGTERM exits 0).
#
# Too slow for `npm test` (about 20 s, most of it npm install): .ci/run runs it.
# Usage: scripts/pack-smoke.sh
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
server_pid=
# The HTTP server runs in its own process group (setsid): on failure the whole npx > sh > node chain goes.
cleanup() { [ -n "$server_pid" ] && kill -- "-$server_pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
say() { printf '[pack-smoke] %s\n' "$*" >&2; }
fail() { say "FAIL: $*"; exit 1; }
start=$(date +%s)

cd "$root"
npm pack --silent --pack-destination "$work" >"$work/pack.out"
tarball="$work/$(tail -1 "$work/pack.out")"
[ -f "$tarball" ] || fail "npm pack made no tarball"
listing="$(tar -tvzf "$tarball")"
grep -Eq '^-rwxr-xr-x .* package/dist/cli/main\.js$' <<<"$listing" || fail "the bin dist/cli/main.js is not executable in the tarball"
if grep -Eq ' package/(src|test|deploy|scripts)/' <<<"$listing"; then fail "the tarball carries sources or tests"; fi
say "packed $(basename "$tarball"): $(grep -c ' package/' <<<"$listing") files, $(du -k "$tarball" | cut -f1) KiB"

app="$work/app"
mkdir -p "$app/home"
cd "$app"
printf '{"name":"pack-smoke","private":true}\n' >package.json
npm install --prefer-offline --no-audit --no-fund --silent "$tarball"
# Dev tools, the optional tokenizer, and what dist/ bundles (scripts/build.mjs): none is installed.
for dev in typescript vitest gpt-tokenizer @anthropic-ai/mcpb zod @modelcontextprotocol/server @kubernetes/client-node commander pino; do
  [ ! -e "node_modules/$dev" ] || fail "$dev was installed: it is not a runtime dependency"
done
say "installed with $(ls node_modules | wc -l) top-level packages ($(du -sm node_modules | cut -f1) MiB)"

# The server reads ~/.kubeflow-mcp.yaml and ~/.kube/config: an empty HOME keeps this machine's out.
# npx still uses the real npm cache.
export npm_config_cache="$(npm config get cache)"
run() { HOME="$app/home" KUBEFLOW_MCP_LOG_LEVEL=warn npx --no-install kubeflow-mcp "$@"; }

run --help | grep -q 'serve' || fail "--help does not list serve"
run --version | grep -qx "$(node -p "require('$root/package.json').version")" || fail "--version is not the package's"

listed="$(run tools list --clients trainer 2>"$work/stderr")"
grep -Eq '^[0-9]+ tools in tools/list' <<<"$listed" || fail "tools list without the tokenizer: $listed"
grep -q 'gpt-tokenizer' "$work/stderr" || fail "tools list does not say how to get token counts"

requests='{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"smoke","version":"1"}}}
{"jsonrpc":"2.0","method":"notifications/initialized"}
{"jsonrpc":"2.0","id":2,"method":"tools/list","params":{}}'
out="$(printf '%s\n' "$requests" | (cat; sleep 3) | HOME="$app/home" KUBEFLOW_MCP_LOG_LEVEL=warn timeout 30 npx --no-install kubeflow-mcp serve --backend local --clients trainer)"
grep -q '"name":"list_training_jobs"' <<<"$out" || fail "serve over stdio did not answer tools/list: $out"

HOME="$app/home" KUBEFLOW_MCP_LOG_LEVEL=warn setsid npx --no-install kubeflow-mcp serve --transport http --port 0 --backend local --clients trainer 2>"$work/http.err" &
server_pid=$!
url=
for _ in $(seq 1 100); do
  url="$(grep -oE 'MCP endpoint \(Streamable HTTP\): \S+' "$work/http.err" | awk '{print $NF}' || true)"
  [ -n "$url" ] && break
  sleep 0.1
done
[ -n "$url" ] || fail "serve --transport http did not start: $(cat "$work/http.err")"
ready="${url%/mcp}/readyz"
for _ in $(seq 1 50); do curl -fsS "$ready" >/dev/null 2>&1 && break; sleep 0.1; done
curl -fsS "$ready" | grep -q ready || fail "$ready is not ready"
# npx runs the server under a shell: signal the server's own node process, as Kubernetes
# signals PID 1; npx then exits with its code.
node_pid="$server_pid"
while child="$(pgrep -P "$node_pid" | head -1)" && [ -n "$child" ]; do node_pid="$child"; done
grep -q 'kubeflow-mcp' "/proc/$node_pid/cmdline" || fail "no server process under npx"

kill -TERM "$node_pid"
code=0
wait "$server_pid" || code=$?
server_pid=
[ "$code" = 0 ] || fail "serve --transport http exited $code on SIGTERM"

npm install --prefer-offline --no-audit --no-fund --silent gpt-tokenizer@4
run tools list --clients trainer | grep -Eq '^[0-9]+ tools, [0-9]+ tokens in tools/list' || fail "tools list with gpt-tokenizer installed shows no token counts"

say "ok: npx kubeflow-mcp --help, --version, tools list, serve (stdio, http) from the tarball in $(($(date +%s) - start)) s"
