#!/usr/bin/env bash
# Installs everything bonepath needs to build and test on Debian 12 (apt-get), then configures and
# builds the project into build/ (RelWithDebInfo, Ninja).
#
# Idempotent: apt is skipped when every package is already installed, so a second run is fast and
# works offline. Runs as root, or through sudo when not root.
#
# Environment (all optional):
#   BONEPATH_BUILD_DIR   build directory (default: build)
#   BONEPATH_JOBS        parallel build jobs (default: number of cores)
#   BONEPATH_SKIP_BUILD  1: install dependencies only
set -euo pipefail
cd "$(dirname "$0")/.."

# Every package the build, the tests (sanitizers, fuzzers, schema validation), the benchmarks and
# the formatting check need. Keep in step with docs/deploy.md.
PACKAGES=(
  build-essential g++ cmake ninja-build pkg-config git ca-certificates
  nlohmann-json3-dev libsimdjson-dev libcli11-dev libfmt-dev libspdlog-dev libvalijson-dev
  libcpp-httplib-dev libsqlite3-dev libpqxx-dev libpq-dev libjwt-dev libssl-dev
  libcurl4-openssl-dev libgtest-dev libgmock-dev libbenchmark-dev
  clang libclang-rt-14-dev clang-format hyperfine valgrind python3
)

missing=()
for pkg in "${PACKAGES[@]}"; do
  status="$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)"
  if [[ "$status" != "install ok installed" ]]; then
    missing+=("$pkg")
  fi
done

if ((${#missing[@]} > 0)); then
  echo "setup: installing ${#missing[@]} package(s): ${missing[*]}"
  SUDO=()
  if [[ "$(id -u)" != 0 ]]; then
    if ! command -v sudo >/dev/null; then
      echo "setup: not root and no sudo; install as root: apt-get install ${missing[*]}" >&2
      exit 1
    fi
    SUDO=(sudo)
  fi
  export DEBIAN_FRONTEND=noninteractive
  "${SUDO[@]}" apt-get update -q
  "${SUDO[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
else
  echo "setup: all ${#PACKAGES[@]} packages already installed"
fi

if [[ "${BONEPATH_SKIP_BUILD:-0}" == 1 ]]; then
  exit 0
fi

build_dir="${BONEPATH_BUILD_DIR:-build}"
jobs="${BONEPATH_JOBS:-$(nproc)}"
# Configure only once per directory: re-running cmake on an existing tree is harmless but slower.
if [[ ! -f "$build_dir/build.ninja" ]]; then
  cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo
fi
cmake --build "$build_dir" -j "$jobs"
echo "setup: built $build_dir/bonepath"
