#!/usr/bin/env bash
# Build BoringSSL's BoGo runner (test/bogo/runner: ssl/test/runner @ 88a537fe) offline, with Debian's
# Go (>= 1.19) and Debian's golang.org/x/* sources. No module proxy, no network beyond apt.
#
#   usage: bash test/bogo/build-runner.sh [OUT_DIR]     (default: build/bogo)
#
# Produces OUT_DIR/bogo-runner. Nothing is written into the source tree: the sources are copied to
# OUT_DIR/src, whose go.mod copy gets `replace golang.org/x/... => /usr/share/gocode/...` (the only
# change; no .go file is patched). A rebuild is skipped when the binary is newer than every source.
set -euo pipefail

die() { echo "build-runner.sh: error: $*" >&2; exit 1; }

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)"
RUNNER="$HERE/runner"
ROOT="$(cd "$HERE/../.." && pwd -P)"
OUT="$(realpath -m -- "${1:-$ROOT/build/bogo}")"
case "$OUT/" in "$HERE"/*) die "OUT_DIR ($OUT) must be outside test/bogo";; esac
[ -f "$RUNNER/ssl/test/runner/runner.go" ] || die "runner sources missing under $RUNNER"
mkdir -p "$OUT" || die "cannot create output directory $OUT"

if [ -x "$OUT/bogo-runner" ] && [ -z "$(find "$RUNNER" -newer "$OUT/bogo-runner" -type f -print -quit)" ]; then
  echo "build-runner.sh: up to date: $OUT/bogo-runner"
  exit 0
fi

# 1. Debian packages, installed only if missing.
GOSRC=/usr/share/gocode/src/golang.org/x
missing=()
command -v go >/dev/null 2>&1 || missing+=(golang-go)
for m in crypto net sys term text; do
  [ -f "$GOSRC/$m/go.mod" ] || missing+=("golang-golang-x-$m-dev")
done
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
  export DEBIAN_FRONTEND=noninteractive
  echo "build-runner.sh: installing ${missing[*]}"
  $SUDO apt-get install -y --no-install-recommends "${missing[@]}" \
    || { $SUDO apt-get update && $SUDO apt-get install -y --no-install-recommends "${missing[@]}"; } \
    || die "apt-get install ${missing[*]} failed"
fi
command -v go >/dev/null 2>&1 || die "go not found on PATH after installing golang-go"
gover="$(go env GOVERSION)"
case "$gover" in
  go1.1[0-8]|go1.1[0-8].*|go1.[0-9]|go1.[0-9].*) die "$gover is too old: the runner needs Go >= 1.19";;
esac

# 2. A writable copy of the sources; only the copy's go.mod is edited.
SRC="$OUT/src"
[ -d "$SRC" ] && chmod -R u+w "$SRC" && rm -rf "$SRC"
mkdir -p "$SRC"
cp -R "$RUNNER/go.mod" "$RUNNER/ssl" "$RUNNER/util" "$SRC/"
chmod -R u+w "$SRC"

export GOPROXY=off GOSUMDB=off GOFLAGS=-mod=mod GO111MODULE=on GOWORK=off GOTOOLCHAIN=local
export CGO_ENABLED=0 GOPATH="$OUT/gopath" GOCACHE="$OUT/gocache"
( cd "$SRC" && for m in crypto net sys term text; do go mod edit -replace "golang.org/x/$m=$GOSRC/$m"; done ) \
  || die "go mod edit failed"

# 3. Compile the runner's test binary.
echo "build-runner.sh: $gover; building $OUT/bogo-runner"
( cd "$SRC" && go test -c -o "$OUT/bogo-runner.tmp" ./ssl/test/runner ) \
  || die "go test -c failed (see the compiler output above)"
mv "$OUT/bogo-runner.tmp" "$OUT/bogo-runner"
echo "build-runner.sh: OK: $OUT/bogo-runner"
