#!/usr/bin/env bash
# Trains the profile for a profile-guided build (scripts/setup.sh calls this; nothing else needs
# to). Builds an instrumented bonepath and engine benchmark into build-pgo-train/, runs them on
# bundled data (the engine benchmark over the V22 record and the 13 public vignettes; bonepath
# assess on every example and vignette in every format) and leaves the profile in
# build-pgo-profile/, which a build configured with -DBONEPATH_PGO=USE reads.
#
#   scripts/pgo.sh [PROFILE_DIR]
#   scripts/pgo.sh --fingerprint     # the digest of the sources a profile is trained on
#
# The training data is the project's own: no patient data. The profile only steers the
# optimizer; what the code decides does not depend on it (the tests run on the optimized build).
set -euo pipefail
cd "$(dirname "$0")/.."
# --fingerprint: a digest of the C++ sources and build files (a profile trained on other
# sources is stale: GCC ignores it for every function that changed).
if [[ "${1:-}" == --fingerprint ]]; then
  find src bench CMakeLists.txt cmake -type f | LC_ALL=C sort | xargs sha256sum |
    sha256sum | cut -d' ' -f1
  exit 0
fi
root=$PWD
profile="${1:-$root/build-pgo-profile}"
train="${BONEPATH_PGO_TRAIN_DIR:-$root/build-pgo-train}"
jobs="${BONEPATH_JOBS:-$(nproc)}"

cmake -S . -B "$train" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DBONEPATH_PGO=GENERATE \
  -DBONEPATH_PGO_DIR="$profile" >/dev/null
cmake --build "$train" -j "$jobs" --target bonepath engine_bench
rm -rf "$profile"
mkdir -p "$profile"

"$train/bench/engine_bench" --benchmark_filter='Assess|Read|ToJson' --benchmark_min_time=0.05 \
  >/dev/null
for f in examples/*.json tests/vignettes/public/*.json; do
  for fmt in json text markdown html; do
    # Some vignettes are meant to stop at validation or to decide "not indicated": the exit
    # status is not the point here, running the code is.
    "$train/bonepath" assess --format "$fmt" "$f" >/dev/null 2>&1 || true
  done
done
n=$(find "$profile" -name '*.gcda' | wc -l)
((n > 0)) || { echo "pgo: no profile written to $profile" >&2; exit 1; }
# The sources the profile was trained on: scripts/setup.sh trains again when they change.
scripts/pgo.sh --fingerprint >"$profile/SOURCES"
echo "pgo: $n profile files in $profile"
