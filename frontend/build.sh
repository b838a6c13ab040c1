#!/usr/bin/env bash
# Build the front-end assets into ../static (committed, so running the product
# needs no Node). Idempotent: run it again after changing main.scss or bumping
# a package in package.json/package-lock.json.
#
#   ../static/govuk/app.css                 GOV.UK Frontend (Arial) + our styles
#   ../static/govuk/govuk-frontend.min.js   ES module, loaded by ../static/js/app.js
#   ../static/govuk/assets/                 images + manifest (no fonts: Arial)
#   ../static/vendor/                       accessible-autocomplete, htmx, MOJ Frontend JS
#
# axe-core is deliberately NOT copied: tests read frontend/node_modules/axe-core/axe.min.js.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")"

if ! command -v npm >/dev/null 2>&1; then
  echo "build.sh: npm not found; install Node.js 20+ to rebuild the front-end assets" >&2
  exit 1
fi

# (Re)install when node_modules is missing or older than the lock file.
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules ]; then
  npm ci --ignore-scripts --no-audit --no-fund
  touch node_modules
fi

STATIC=../static
GOVUK=node_modules/govuk-frontend/dist/govuk

mkdir -p "$STATIC/govuk" "$STATIC/vendor" "$STATIC/js"

# CSS
node_modules/.bin/sass \
  --style=compressed \
  --no-source-map \
  --load-path=node_modules \
  --quiet-deps \
  --silence-deprecation=import \
  main.scss "$STATIC/govuk/app.css"

# GOV.UK Frontend JS + assets (fonts left out: we use Arial)
cp "$GOVUK/govuk-frontend.min.js" "$STATIC/govuk/govuk-frontend.min.js"
rm -rf "$STATIC/govuk/assets"
mkdir -p "$STATIC/govuk/assets"
cp -R "$GOVUK/assets/images" "$STATIC/govuk/assets/images"
cp "$GOVUK/assets/manifest.json" "$STATIC/govuk/assets/manifest.json"
if [ -d "$GOVUK/assets/rebrand" ]; then
  cp -R "$GOVUK/assets/rebrand" "$STATIC/govuk/assets/rebrand"
fi

# Vendored JS/CSS
cp node_modules/accessible-autocomplete/dist/accessible-autocomplete.min.js "$STATIC/vendor/"
cp node_modules/accessible-autocomplete/dist/accessible-autocomplete.min.css "$STATIC/vendor/"
cp node_modules/htmx.org/dist/htmx.min.js "$STATIC/vendor/htmx.min.js"
# MOJ Frontend: its JS only (self-contained ES module; its Sass is not used)
cp node_modules/@ministryofjustice/frontend/moj/moj-frontend.min.js "$STATIC/vendor/moj-frontend.min.js"

# We ship no source maps: drop their references so collectstatic's manifest does not look for them.
for f in "$STATIC"/govuk/*.js "$STATIC"/vendor/*.js "$STATIC"/vendor/*.css; do
  sed -i -E 's@//# sourceMappingURL=[^[:space:]]*@@; s@/\*# sourceMappingURL=[^*]*\*/@@' "$f"
done

echo "build.sh: built $(cd "$STATIC" && pwd)"
