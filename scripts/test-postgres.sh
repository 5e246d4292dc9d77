#!/usr/bin/env bash
# A throwaway PostgreSQL for the test suite: its own cluster in a folder, on 127.0.0.1 at a free port.
#   scripts/test-postgres.sh start DIR   → initdb + start; prints the TEST_DATABASE_URL to use
#   scripts/test-postgres.sh stop DIR    → stop it (the folder can then be deleted)
# Installs Debian's postgresql when no server binaries are found (needs root, as in CI).
set -euo pipefail
cmd=${1:?start|stop}
dir=${2:?folder}

find_bin() {
  local d
  d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
  if [ -n "$d" ] && [ -x "$d/initdb" ]; then echo "$d"; fi
}

# initdb refuses to run as root: as root, run the server as the 'postgres' user.
as_pg() {
  if [ "$(id -u)" = "0" ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

case "$cmd" in
  start)
    bin=$(find_bin)
    if [ -z "$bin" ]; then
      echo "test-postgres: installing Debian postgresql" >&2
      export DEBIAN_FRONTEND=noninteractive
      apt-get update -qq >&2
      apt-get install -y -qq postgresql >/dev/null
      bin=$(find_bin)
    fi
    [ -n "$bin" ] || { echo "test-postgres: no PostgreSQL server binaries found" >&2; exit 1; }
    mkdir -p "$dir"
    [ "$(id -u)" = "0" ] && chown postgres "$dir"
    port=$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
    as_pg "$bin/initdb" -D "$dir/data" -U postgres --auth=trust --encoding=UTF8 --no-locale >"$dir/initdb.log" 2>&1 \
      || { cat "$dir/initdb.log" >&2; exit 1; }
    as_pg "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
      -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c max_connections=200 -c fsync=off" start >/dev/null \
      || { cat "$dir/server.log" >&2; exit 1; }
    as_pg "$bin/psql" -h 127.0.0.1 -p "$port" -U postgres -qtAc "create database mos_test" >/dev/null
    echo "$bin" >"$dir/bin"
    echo "postgres://postgres@127.0.0.1:$port/mos_test"
    ;;
  stop)
    [ -f "$dir/bin" ] || exit 0
    as_pg "$(cat "$dir/bin")/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null || true
    ;;
  *)
    echo "usage: $0 start|stop DIR" >&2
    exit 2
    ;;
esac
