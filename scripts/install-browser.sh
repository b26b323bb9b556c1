#!/usr/bin/env bash
# Installs Debian's Chromium for the browser tests (Playwright's own browser download does not work on
# machines with no internet beyond package registries). Needs root and apt; otherwise it only explains.
set -u
find_chromium() {
  for c in "${MOTCUA_CHROMIUM:-}" /usr/bin/chromium /usr/bin/chromium-browser; do
    [ -n "$c" ] && [ -x "$c" ] && { echo "$c"; return 0; }
  done
  return 1
}
if path=$(find_chromium); then
  echo "Chromium: $path"
  exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "Đang cài Chromium từ kho gói Debian cho kiểm thử trình duyệt…"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq && apt-get install -y -qq --no-install-recommends chromium fonts-noto-core >/dev/null
  if path=$(find_chromium); then echo "Chromium: $path"; exit 0; fi
fi
echo "************************************************************************"
echo "* KHÔNG CÓ CHROMIUM: các kiểm thử trình duyệt sẽ bị BỎ QUA.            *"
echo "* Cài gói 'chromium' (Debian) hoặc đặt MOTCUA_CHROMIUM=/đường/dẫn.     *"
echo "************************************************************************"
exit 0
