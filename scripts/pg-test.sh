#!/usr/bin/env bash
# Runs the registry test suite against a real, throwaway PostgreSQL cluster.
#
#   scripts/pg-test.sh [BUILD_DIR]      (default: build)
#
# Installs the Debian postgresql package if it is missing (apt-get), creates a cluster in a
# temporary directory owned by the postgres user (initdb refuses to run as root), starts it on a
# loopback port, runs the same registry tests as on SQLite with BONEPATH_TEST_PG_URL set, then
# stops the cluster and removes it, whatever the outcome. Exit status: the tests'.
# Environment: BONEPATH_PG_PORT (default 55432), BONEPATH_PG_FILTER (gtest filter, default the
# registry and storage suites).
set -euo pipefail

build_dir=${1:-build}
port=${BONEPATH_PG_PORT:-55432}
filter=${BONEPATH_PG_FILTER:-'Registry*:*Registry*:*Database*'}
test_bin="$build_dir/tests/bonepath_unit_tests"
[[ -x "$test_bin" ]] || { echo "pg-test: $test_bin not built" >&2; exit 2; }
test_bin=$(realpath "$test_bin")

pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)
if [[ -z "$pg_bin" || ! -x "$pg_bin/initdb" ]]; then
  echo "pg-test: installing postgresql (apt-get)" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq && apt-get install -y -qq postgresql >/dev/null
  pg_bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
fi

# Run PostgreSQL tools as the postgres user when we are root; as ourselves otherwise.
as_pg() {
  if [[ $(id -u) -eq 0 ]]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

work=$(mktemp -d /tmp/bonepath-pg.XXXXXX)
chmod 755 "$work"
[[ $(id -u) -eq 0 ]] && chown postgres: "$work"
data="$work/data"
cleanup() {
  as_pg "$pg_bin/pg_ctl" -D "$data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

as_pg "$pg_bin/initdb" -D "$data" -U postgres -A trust --no-sync -E UTF8 >"$work/initdb.log" 2>&1 \
  || { cat "$work/initdb.log" >&2; exit 1; }
as_pg "$pg_bin/pg_ctl" -D "$data" -l "$work/server.log" -w -t 60 \
  -o "-h 127.0.0.1 -p $port -k $work -c max_connections=50" start >/dev/null \
  || { cat "$work/server.log" >&2; exit 1; }
as_pg "$pg_bin/createdb" -h 127.0.0.1 -p "$port" -U postgres bonepath_test

export BONEPATH_TEST_PG_URL="postgresql://postgres@127.0.0.1:$port/bonepath_test"
echo "pg-test: PostgreSQL $("$pg_bin/postgres" --version | awk '{print $3}') on 127.0.0.1:$port" >&2
status=0
"$test_bin" --gtest_filter="$filter" || status=$?
exit $status
