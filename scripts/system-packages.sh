#!/bin/sh
# Install the Debian packages the tests use, if missing: chromium (browser tests),
# wamerican and wbritish (the spelling-fold measurement), npm (installs axe-core and vnu.jar from
# package-lock.json), a Java runtime (runs vnu.jar, the Nu HTML checker), fonts-noto-cjk (CJK
# text in the screenshots, not boxes) and manpages-ja, -zh, -de, -fr (real prose in those
# languages: tests/test_manpages.py builds a multilingual archive from them).
# Needs root; otherwise says what to run.
missing=""
[ -x /usr/bin/chromium ] || missing="$missing chromium"
[ -f /usr/share/dict/american-english ] || missing="$missing wamerican"
[ -f /usr/share/dict/british-english ] || missing="$missing wbritish"
command -v npm >/dev/null 2>&1 || missing="$missing npm"
command -v java >/dev/null 2>&1 || missing="$missing default-jre-headless"
[ -d /usr/share/fonts/opentype/noto ] && ls /usr/share/fonts/opentype/noto | grep -q CJK \
    || missing="$missing fonts-noto-cjk"
for lang in ja zh de fr; do
    [ -f /usr/share/doc/manpages-$lang/copyright ] || missing="$missing manpages-$lang"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" = 0 ]; then
    echo "installing:$missing"
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing) >/dev/null
else
    echo "missing Debian packages:$missing; run: sudo apt-get install -y$missing" >&2
    echo "(the tests that need them are skipped)" >&2
fi
