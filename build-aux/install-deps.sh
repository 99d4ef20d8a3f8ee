#!/bin/sh
# Installs the Debian 12 packages Deca Studio builds and tests with, but only the ones
# that are missing, so that a second `make` costs nothing. The studio needs GTK 4,
# libadwaita and GtkSourceView, with an icon theme and fonts to draw with; its tests run on
# Xvfb with XTEST input (libxtst) and walk the accessibility tree over AT-SPI (D-Bus,
# at-spi2-core, libatspi); desktop-file-utils and appstream validate the desktop data.
# The server signs tokens and encrypts secrets with GnuTLS and allocates with mimalloc; its tests read the OpenAPI
# document with libyaml; the README's and docs/server-quickstart.md's server commands use
# curl and jq. Needs root (or sudo) only when something is missing.
set -eu

packages="
  gcc make pkg-config meson ninja-build gettext
  clang libclang-rt-14-dev
  libglib2.0-dev libjson-glib-dev libsqlite3-dev libsoup-3.0-dev libgnutls28-dev
  libyaml-dev libmimalloc-dev curl jq
  glib-networking ca-certificates tzdata
  sqlite3
  libgtk-4-dev libadwaita-1-dev libgtksourceview-5-dev libx11-dev libxtst-dev
  adwaita-icon-theme hicolor-icon-theme fonts-cantarell fonts-dejavu-core
  libglib2.0-bin desktop-file-utils appstream
  xvfb xauth dbus dbus-x11 at-spi2-core libatspi2.0-dev
"

missing=""
for p in $packages; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing="$missing $p"
  fi
done

[ -z "$missing" ] && exit 0

echo "Installing missing Debian packages:$missing"
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then
    sudo="sudo"
  else
    echo "error: these packages are missing and I am not root: $missing" >&2
    exit 1
  fi
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
# shellcheck disable=SC2086
$sudo apt-get install -y -qq --no-install-recommends $missing
