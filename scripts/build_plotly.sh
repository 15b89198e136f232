#!/bin/sh
# Rebuilds static/vendor/plotly/plotly-scatter-bar.min.js, the partial plotly.js bundle (scatter and
# bar traces only), from the npm registry. Not run by CI or `make test`: run it by hand when
# upgrading plotly.js, then update static/vendor/plotly/README.md (versions, sha256) and check the
# charts (tests/browser). Needs node and npm; works in a temporary directory outside the repo.
#
#   sh scripts/build_plotly.sh
set -eu

# Must match scripts/plotly/package.json (the banner of the bundle names them).
PLOTLY_VERSION=4.1.1
ESBUILD_VERSION=0.28.2

ROOT=$(cd "$(dirname "$0")/.." && pwd)
OUT="$ROOT/static/vendor/plotly"
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

cd "$WORK"
# scripts/plotly/package.json pins plotly.js and esbuild; package-lock.json pins every dependency
# (with its integrity hash), so a rebuild gives the same file. --ignore-scripts: nothing needs an
# install script (esbuild's binary comes as the optional dependency @esbuild/<platform>).
# plotly.js 4 asks for node >= 22 (EBADENGINE warning on 20): for its own build tools; bundling its
# sources with esbuild works on node 20.
cp "$ROOT/scripts/plotly/package.json" "$ROOT/scripts/plotly/package-lock.json" .
npm ci --no-audit --no-fund --ignore-scripts >/dev/null
cp "$ROOT/scripts/plotly/entry.js" entry.js

# The same esbuild settings as plotly.js's own build (its esbuild-config.js: IIFE, global Plotly,
# es2016, global=window, no AMD), minified. Legal comments (licences of bundled packages) kept at
# the end of the file.
./node_modules/.bin/esbuild entry.js --bundle --minify --format=iife --global-name=Plotly \
  --target=es2016 --define:global=window --define:define.amd=false \
  --define:process.env.NODE_DEBUG=false --legal-comments=eof --log-level=warning \
  --banner:js="/*! plotly.js v$PLOTLY_VERSION, partial bundle: core (scatter) + bar; built with esbuild $ESBUILD_VERSION by scripts/build_plotly.sh. MIT License, (c) Plotly, Inc. */" \
  --outfile=bundle.js
# esbuild also writes bundle.css (maplibre-gl's stylesheet, pulled in by a map module we do not
# register); plotly injects the CSS it needs itself, so it is not copied.

# The city's network is closed: no default of ours may name a host on the internet, even one the
# charts never read (tests/test_static_files.py scans static/ for CDN hosts).
#   topojsonURL (geo traces, not in this bundle) with its description, and plotlyServerURL
#   ("send to Chart Studio", off).
node -e '
const fs = require("fs");
let js = fs.readFileSync("bundle.js", "utf8");
for (const [from, to] of [
  ["dflt:\"https://cdn.plot.ly/un/\"", "dflt:\"/static/vendor/plotly/no-topojson/\""],
  ["dflt:\"https://cloud.plotly.com/newchart\"", "dflt:\"\""],
  ["\"By default, the topojson files are fetched from cdn.plot.ly.\"",
   "\"In this build there is no default: geo traces are not included.\""],
]) {
  const n = js.split(from).length - 1;
  if (n !== 1) { console.error(`expected ${from} once, found it ${n} times`); process.exit(1); }
  js = js.replace(from, to);
}
// The explicit compile hint of V8 (Chrome >= 136; other engines see a comment): compile every
// function of the file eagerly, on the background thread that streams the deferred script,
// instead of lazily on the main thread when the chart is first drawn. Must be the first line.
fs.writeFileSync("bundle.js", "//# allFunctionsCalledOnLoad\n" + js);
'

cp bundle.js "$OUT/plotly-scatter-bar.min.js"
cp node_modules/plotly.js/LICENSE "$OUT/LICENSE"
node -e 'const p = require("./node_modules/plotly.js/package.json"); console.log(p.name, p.version, p.license)'
./node_modules/.bin/esbuild --version
sha256sum "$OUT/plotly-scatter-bar.min.js"
