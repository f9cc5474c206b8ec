#!/usr/bin/env bash
# The whole test suite, as CI runs it (.ci/run calls this): set-up and build (scripts/setup.sh),
# ctest, the same tests under AddressSanitizer + UndefinedBehaviorSanitizer, the knowledge check,
# the formatting check, and the fuzzers when fuzz/ exists.
#
# Every stage runs even when an earlier one failed (so one run shows every problem), except those
# that need a build that failed. Exits non-zero when any stage failed; the last line is
# "N passed, N failed" counting stages.
#
# Environment (all optional):
#   BONEPATH_BUILD_DIR  main build (default: build)      BONEPATH_ASAN_DIR  (default: build-asan)
#   BONEPATH_FUZZ_DIR   (default: build-fuzz)            BONEPATH_FUZZ_SECONDS  per fuzzer (15)
#   BONEPATH_JOBS       parallel jobs (default: cores)
#   BONEPATH_ASAN_PROPERTY_PATIENTS  generated patients per property suite under the sanitizers (2000)
set -uo pipefail
cd "$(dirname "$0")/.."

build_dir="${BONEPATH_BUILD_DIR:-build}"
asan_dir="${BONEPATH_ASAN_DIR:-build-asan}"
fuzz_dir="${BONEPATH_FUZZ_DIR:-build-fuzz}"
fuzz_seconds="${BONEPATH_FUZZ_SECONDS:-15}"
jobs="${BONEPATH_JOBS:-$(nproc)}"
export BONEPATH_BUILD_DIR="$build_dir" BONEPATH_JOBS="$jobs"

passed=0
failed=0
results=()
suite_start=$SECONDS

# run_stage NAME COMMAND...: runs one stage, records and prints its outcome and duration.
run_stage() {
  local name="$1"
  shift
  local start=$SECONDS
  echo
  echo "=== stage: $name"
  if "$@"; then
    passed=$((passed + 1))
    results+=("PASS  $name ($((SECONDS - start)) s)")
    return 0
  fi
  failed=$((failed + 1))
  results+=("FAIL  $name ($((SECONDS - start)) s)")
  return 1
}

skip_stage() {
  failed=$((failed + 1))
  results+=("FAIL  $1 (not run: $2)")
}

# GCC 12 reports false "may be used uninitialized" warnings inside libstdc++ (std::regex,
# std::function) once ASan instruments the code; the normal build keeps every warning an error.
# -O1 without debug information compiles about a third faster than -O2 -g (native_reader.cc:
# 17.7 s against 25.6 s; with line tables, -g1, 19.5 s), which keeps CI near its 45-minute budget
# on two cores. Reports still name the functions (the binaries keep their symbols); for file:line,
# rebuild the failing test locally with -g.
asan_build() {
  cmake -S . -B "$asan_dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DBONEPATH_SANITIZE=ON \
    -DBONEPATH_BENCH=OFF -DCMAKE_CXX_FLAGS=-Wno-maybe-uninitialized \
    "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O1 -DNDEBUG" &&
    cmake --build "$asan_dir" -j "$jobs"
}

# Leak checking is on (LeakSanitizer is part of ASan on x86_64); any UB report is fatal. The
# property suites check 2,000 generated patients here instead of their 10,000-12,000: ctest runs
# each test in its own process, which regenerates and assesses the whole population, ten times
# slower under the sanitizers; the full count runs in the optimised ctest above.
asan_ctest() {
  BONEPATH_PROPERTY_PATIENTS="${BONEPATH_ASAN_PROPERTY_PATIENTS:-2000}" \
    ASAN_OPTIONS="detect_leaks=1:abort_on_error=1:strict_string_checks=1" \
    UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1" \
    ctest --test-dir "$asan_dir" --output-on-failure -j "$jobs"
}

format_check() {
  local files=()
  local dir
  for dir in src bench tests fuzz; do
    [[ -d "$dir" ]] || continue
    while IFS= read -r -d '' f; do files+=("$f"); done \
      < <(find "$dir" -type f \( -name '*.cc' -o -name '*.h' \) -print0 | sort -z)
  done
  echo "clang-format: ${#files[@]} files"
  clang-format --dry-run --Werror "${files[@]}"
}

# -O1 with line tables: fuzzer findings keep file:line; -O2 -g compiled more slowly and bought
# executions the 15-second runs do not need.
fuzz_build() {
  CC=clang CXX=clang++ cmake -S . -B "$fuzz_dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DBONEPATH_FUZZ=ON -DBONEPATH_BENCH=OFF -DBONEPATH_WERROR=OFF \
    "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O1 -gline-tables-only -DNDEBUG" &&
    # Only the fuzz targets (and what they link): the rest is already built twice above.
    cmake --build "$fuzz_dir" -j "$jobs" --target fuzz/all
}

# run_fuzzer BINARY: runs one libFuzzer target for fuzz_seconds over a scratch copy of its seed
# corpus (libFuzzer adds new inputs to its first corpus directory; the repository's stays clean).
# Crashes are kept in fuzz-artifacts/ for reproduction.
run_fuzzer() {
  local bin="$1"
  local name
  name="$(basename "$bin")"
  local base="${name%_fuzz}"
  # Seeds: fuzz/corpus/<name>, else fuzz/corpus/<name without _fuzz>, else the longest corpus
  # folder whose name starts the fuzzer's (fuzz/corpus/native for native_reader_fuzz).
  local seeds="" dir cand
  for cand in "$name" "$base"; do
    if [[ -z "$seeds" && -d "fuzz/corpus/$cand" ]]; then seeds="fuzz/corpus/$cand"; fi
  done
  if [[ -z "$seeds" ]]; then
    for dir in fuzz/corpus/*/; do
      cand="$(basename "$dir")"
      if [[ "$base" == "$cand"* && ${#cand} -gt $((${#seeds} - 12)) ]]; then
        seeds="fuzz/corpus/$cand"
      fi
    done
  fi
  local scratch
  scratch="$(mktemp -d)"
  mkdir -p fuzz-artifacts
  local args=(-max_total_time="$fuzz_seconds" -rss_limit_mb=2048 -timeout=10 -print_final_stats=1
    -artifact_prefix="fuzz-artifacts/${name}-" "$scratch")
  [[ -f "fuzz/$base.dict" ]] && args=(-dict="fuzz/$base.dict" "${args[@]}")
  [[ -n "$seeds" ]] && args+=("$seeds")
  echo "fuzz: $name for ${fuzz_seconds} s (seeds: ${seeds:-none})"
  ASAN_OPTIONS="detect_leaks=1" "$bin" "${args[@]}" 2>&1 | tail -n 15
  local rc=${PIPESTATUS[0]}
  rm -rf "$scratch"
  return "$rc"
}

if run_stage "setup and build ($build_dir)" scripts/setup.sh; then
  run_stage "ctest ($build_dir)" ctest --test-dir "$build_dir" --output-on-failure -j "$jobs"
  run_stage "knowledge check" "$build_dir/bonepath" knowledge check
  # The registry suite again, against a real throwaway PostgreSQL cluster on loopback.
  run_stage "registry on PostgreSQL" scripts/pg-test.sh "$build_dir"
else
  skip_stage "ctest ($build_dir)" "build failed"
  skip_stage "knowledge check" "build failed"
  skip_stage "registry on PostgreSQL" "build failed"
fi

if run_stage "ASan+UBSan build ($asan_dir)" asan_build; then
  run_stage "ASan+UBSan ctest ($asan_dir)" asan_ctest
else
  skip_stage "ASan+UBSan ctest ($asan_dir)" "build failed"
fi

run_stage "clang-format" format_check

if [[ -f fuzz/CMakeLists.txt ]]; then
  if run_stage "fuzz build ($fuzz_dir)" fuzz_build; then
    shopt -s nullglob
    fuzzers=("$fuzz_dir"/fuzz/*_fuzz)
    shopt -u nullglob
    if ((${#fuzzers[@]} == 0)); then
      skip_stage "fuzzers" "no $fuzz_dir/fuzz/*_fuzz binary was built"
    fi
    for bin in "${fuzzers[@]}"; do
      run_stage "fuzz $(basename "$bin")" run_fuzzer "$bin"
    done
  fi
else
  echo
  echo "=== no fuzz/CMakeLists.txt: fuzzers not run"
fi

echo
echo "=== summary ($((SECONDS - suite_start)) s)"
printf '%s\n' "${results[@]}"
echo "$passed passed, $failed failed"
((failed == 0))
