#!/usr/bin/env bash
# Install the dashboards' front-end libraries from the npm registry (versions pinned by
# dashboards/assets/package-lock.json) and copy only the files the pages load, with their licences,
# into dashboards/static/vendor/. The copies are committed, so running the site needs no npm and no CDN;
# run this again only to upgrade (edit package.json, `npm install` there, then this script).
set -euo pipefail
cd "$(dirname "$0")/../dashboards/assets"
npm ci --no-audit --no-fund --ignore-scripts
vendor=../static/vendor
rm -rf "$vendor"
mkdir -p "$vendor/echarts" "$vendor/leaflet/images"
cp node_modules/echarts/dist/echarts.common.min.js node_modules/echarts/LICENSE node_modules/echarts/NOTICE node_modules/echarts/licenses/LICENSE-d3 "$vendor/echarts/"
cp node_modules/leaflet/dist/leaflet.js node_modules/leaflet/dist/leaflet.css node_modules/leaflet/LICENSE "$vendor/leaflet/"
cp node_modules/leaflet/dist/images/*.png "$vendor/leaflet/images/"
for pkg in echarts leaflet; do
  node -p "require('./node_modules/$pkg/package.json').version" >"$vendor/$pkg/VERSION"
done
echo "vendored: echarts $(cat $vendor/echarts/VERSION), leaflet $(cat $vendor/leaflet/VERSION)"
