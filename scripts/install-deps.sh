#!/usr/bin/env bash
# Installs, from Debian's packages only, everything skiff needs to build, run
# and test. Safe to run again: it installs only what is missing.
set -euo pipefail

BUILD_PKGS=(
  build-essential pkg-config scons clang libclang-rt-14-dev llvm
  libev-dev libmimalloc-dev libhttp-parser-dev libyaml-dev libleveldb-dev libjansson-dev
  libssl-dev libcurl4-openssl-dev libcmocka-dev
)
RUN_PKGS=(kubernetes-client crun runc containernetworking-plugins iproute2 util-linux iptables)
TEST_PKGS=(valgrind procps python3-kubernetes etcd-server busybox-static curl)

want=("${BUILD_PKGS[@]}" "${RUN_PKGS[@]}" "${TEST_PKGS[@]}")
missing=()
for p in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# kubectl may come from elsewhere on the machine already; accept that.
if command -v kubectl >/dev/null 2>&1; then
  tmp=(); for p in "${missing[@]}"; do [ "$p" = kubernetes-client ] || tmp+=("$p"); done
  missing=("${tmp[@]+"${tmp[@]}"}")
fi
if [ "${#missing[@]}" -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "install-deps: missing packages: ${missing[*]} (run as root to install them)" >&2
    exit 1
  fi
  echo "install-deps: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
echo "install-deps: all build, run and test dependencies present"
