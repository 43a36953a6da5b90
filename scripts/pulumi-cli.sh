#!/usr/bin/env bash
# Builds the real Pulumi CLI (pinned to the @pulumi/pulumi version we use),
# our minimal Node.js language host and the dynamic-provider shim into
# .pulumi-cli/bin (git-ignored), once. Later runs reuse the binaries while the
# pinned inputs (this script, scripts/pulumi-cli/go.mod, go.sum, langhost/) are
# unchanged; Go's own module and build caches make a rebuild cheap.
#
# Prints the bin directory on stdout (last line); progress goes to stderr.
#   export PATH="$(scripts/pulumi-cli.sh):$PATH"
# Needs Go >= 1.24 (on PATH or /usr/local/go/bin) and the Go module proxy.
set -euo pipefail

PULUMI_VERSION=v3.248.0
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
mod="$root/scripts/pulumi-cli"
out="${PULUMI_CLI_DIR:-$root/.pulumi-cli}/bin"

if ! command -v go >/dev/null 2>&1; then
  export PATH="/usr/local/go/bin:$PATH"
fi
command -v go >/dev/null 2>&1 || { echo "pulumi-cli: Go (>= 1.24) is required: install it or put it on PATH" >&2; exit 1; }

# What the binaries were built from; a change to any of it rebuilds.
stamp="$(cat "$0" "$mod/go.mod" "$mod/go.sum" "$mod"/langhost/*.go | sha256sum | cut -d' ' -f1) $PULUMI_VERSION"
if [[ -x "$out/pulumi" && -x "$out/pulumi-language-nodejs" && -x "$out/pulumi-resource-pulumi-nodejs" \
      && -f "$out/.stamp" && "$(cat "$out/.stamp")" == "$stamp" ]]; then
  echo "pulumi-cli: reusing $out ($("$out/pulumi" version))" >&2
  echo "$out"
  exit 0
fi

mkdir -p "$out"
rm -f "$out/.stamp"
start=$(date +%s)
export CGO_ENABLED=0
# -mod=readonly: go.sum pins every module; nothing is resolved anew here.
flags=(-mod=readonly -trimpath)
echo "pulumi-cli: building pulumi $PULUMI_VERSION into $out (a cold build downloads ~1 GB of modules and takes many minutes)" >&2
(cd "$mod" && go build "${flags[@]}" \
  -ldflags "-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=$PULUMI_VERSION" \
  -o "$out/pulumi" github.com/pulumi/pulumi/pkg/v3/cmd/pulumi)
(cd "$mod" && go build "${flags[@]}" \
  -ldflags "-s -w -X main.version=${PULUMI_VERSION#v}" \
  -o "$out/pulumi-language-nodejs" ./langhost)

# Dynamic providers (pulumi-specql's Entity) are served by @pulumi/pulumi's own
# dynamic-provider process, which the engine starts as the plugin
# `pulumi-resource-pulumi-nodejs` in the program's directory: resolve it there.
cat > "$out/pulumi-resource-pulumi-nodejs" <<'SHIM'
#!/bin/sh
p=$(node -e "console.log(require.resolve('@pulumi/pulumi/cmd/dynamic-provider'))") || exit 1
exec node "$p" "$@"
SHIM
chmod +x "$out/pulumi-resource-pulumi-nodejs"

echo "$stamp" > "$out/.stamp"
echo "pulumi-cli: built $("$out/pulumi" version) in $(( $(date +%s) - start ))s" >&2
echo "$out"
