#!/usr/bin/env bash
# System tools the tests use, from Debian's packages: Chromium (browser journeys; Playwright's own
# browser download does not work without internet), poppler-utils (pdfsig, pdftoppm), zbar-tools
# (zbarimg, QR decoding), libnss3-tools (certutil, for pdfsig's trust store) and SoftHSM 2 with OpenSC
# (a software PKCS#11 token, to test the USB-token/HSM signing path). Needs root and apt;
# otherwise it only says what is missing, and the tests that need a tool are skipped loudly (CI, with
# MOTCUA_REQUIRE_BROWSER=1, fails instead).
set -u
have_all() {
  { [ -x "${MOTCUA_CHROMIUM:-/usr/bin/chromium}" ] || [ -x /usr/bin/chromium ]; } &&
    command -v pdfsig >/dev/null && command -v zbarimg >/dev/null && command -v certutil >/dev/null &&
    command -v softhsm2-util >/dev/null && command -v pkcs11-tool >/dev/null
}
if have_all; then
  echo "Công cụ kiểm thử: đã có Chromium, pdfsig, zbarimg, certutil, SoftHSM."
  exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "Đang cài công cụ kiểm thử từ kho gói Debian (chromium, poppler-utils, zbar-tools, libnss3-tools, softhsm2, opensc)…"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq && apt-get install -y -qq --no-install-recommends \
    chromium fonts-noto-core poppler-utils zbar-tools libnss3-tools softhsm2 opensc >/dev/null
fi
if have_all; then
  echo "Công cụ kiểm thử: đã cài xong."
  exit 0
fi
echo "************************************************************************"
echo "* THIẾU CÔNG CỤ KIỂM THỬ: các kiểm thử cần chúng sẽ bị BỎ QUA.        *"
echo "* Cài gói Debian: chromium poppler-utils zbar-tools libnss3-tools    *"
echo "*                 softhsm2 opensc                                      *"
echo "************************************************************************"
exit 0
