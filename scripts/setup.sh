#!/usr/bin/env bash
# Installs everything bonepath needs to build and test on Debian 12 (apt-get), then configures and
# builds the project into build/ (RelWithDebInfo, Ninja; profile-guided only on request).
#
# Idempotent: apt is skipped when every package is already installed, so a second run is fast and
# works offline. Runs as root, or through sudo when not root.
#
# Environment (all optional):
#   BONEPATH_BUILD_DIR   build directory (default: build)
#   BONEPATH_JOBS        parallel build jobs (default: number of cores)
#   BONEPATH_SKIP_BUILD  1: install dependencies only
#   BONEPATH_PGO         1: the opt-in release build with profile-guided optimization
#                        (scripts/pgo.sh trains a profile in build-pgo-train/ and
#                        build-pgo-profile/); default 0: a plain optimised build
set -euo pipefail
cd "$(dirname "$0")/.."

# Every package the build, the tests (sanitizers, fuzzers, schema validation), the benchmarks and
# the formatting check need. Keep in step with docs/deploy.md.
PACKAGES=(
  build-essential g++ cmake ninja-build pkg-config git ca-certificates
  nlohmann-json3-dev libsimdjson-dev libcli11-dev libfmt-dev libspdlog-dev libvalijson-dev
  libcpp-httplib-dev libsqlite3-dev libpqxx-dev libpq-dev libjwt-dev libssl-dev
  libcurl4-openssl-dev nettle-dev libgmp-dev libgtest-dev libgmock-dev libbenchmark-dev
  libmimalloc-dev
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
export BONEPATH_JOBS="$jobs"
# Profile-guided optimization (about 20 % faster decisions): train once, with an instrumented
# build on the bundled examples (scripts/pgo.sh), unless a profile trained on these sources is
# already there.
pgo=(-DBONEPATH_PGO=OFF)
if [[ "${BONEPATH_PGO:-0}" == 1 ]]; then
  profile="$PWD/build-pgo-profile"
  trained=0
  if [[ ! -d "$profile" ]] || [[ -z "$(find "$profile" -name '*.gcda' -print -quit)" ]]; then
    echo "setup: training the optimization profile (scripts/pgo.sh)"
    scripts/pgo.sh "$profile"
    trained=1
  elif [[ "$(cat "$profile/SOURCES" 2>/dev/null)" != "$(scripts/pgo.sh --fingerprint)" ]]; then
    echo "setup: the sources changed since the optimization profile was trained: training again"
    scripts/pgo.sh "$profile"
    trained=1
  fi
  # The build does not track the profile files: after training, compile everything again.
  if ((trained)) && [[ -f "$build_dir/build.ninja" ]]; then
    cmake --build "$build_dir" --target clean >/dev/null
  fi
  pgo=(-DBONEPATH_PGO=USE -DBONEPATH_PGO_DIR="$profile")
fi
cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo "${pgo[@]}" >/dev/null
cmake --build "$build_dir" -j "$jobs"
echo "setup: built $build_dir/bonepath"
