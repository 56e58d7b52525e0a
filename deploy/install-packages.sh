#!/bin/sh
# Installs Tokenspace for production from its packed workspaces (npm pack --workspaces):
#   deploy/install-packages.sh PACKAGES_DIR APP_DIR
# APP_DIR ends up holding only the runtime dependencies (no dev tools). The container image runs
# exactly this, and so does the test that stands for the image (package-install.test.ts).
set -eu
packages="$1"
app="$2"
mkdir -p "$app"
cd "$app"
# A fresh, private manifest: APP_DIR is a deployment, not a package of its own.
printf '{ "name": "tokenspace-deployment", "private": true }\n' > package.json
npm install --omit=dev --no-audit --no-fund --prefer-offline "$packages"/tokenspace-*.tgz
