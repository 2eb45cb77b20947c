#!/usr/bin/env bash
# System packages the test suite needs beyond Python: Debian's Chromium + ChromeDriver for the browser
# tests and gettext for translations. Installed when missing and we are root on Debian; otherwise a message.
set -euo pipefail
need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v chromedriver >/dev/null 2>&1 || need+=(chromium-driver)
command -v msgfmt >/dev/null 2>&1 || need+=(gettext)
# A CJK font, so Chinese text in the browser tests' screenshots is drawn rather than boxes.
[ -e /usr/share/fonts/truetype/wqy/wqy-zenhei.ttc ] || need+=(fonts-wqy-zenhei)
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing ${need[*]} (Debian packages) for the test suite…"
  apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
else
  echo "The test suite needs these Debian packages: ${need[*]}" >&2
  echo "Install them with: sudo apt-get install ${need[*]}" >&2
  exit 1
fi
