#!/usr/bin/env bash
# Installs everything Ombuds needs into the repository itself: uv (if the machine has
# none), the Python environment in .venv from uv.lock, and the front-end libraries.
set -euo pipefail
cd "$(dirname "$0")/.."

if command -v uv >/dev/null 2>&1; then
  UV=uv
else
  if [ ! -x .tools/bin/uv ]; then
    echo "==> installing uv into .tools/"
    python3 -m venv .tools
    .tools/bin/pip install --quiet --disable-pip-version-check uv
  fi
  UV=.tools/bin/uv
fi

echo "==> Python packages (uv sync --frozen)"
"$UV" sync --frozen --quiet

if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  if command -v npm >/dev/null 2>&1; then
    echo "==> front-end libraries (npm ci)"
    npm ci --no-audit --no-fund --silent
  else
    echo "==> npm not found: pages work without htmx, but partial updates and charts are off."
  fi
fi
