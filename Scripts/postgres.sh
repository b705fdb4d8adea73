#!/usr/bin/env bash
# A throw-away PostgreSQL 15 + PostGIS cluster on a loopback port, for tests and benchmarks.
#
#   eval "$(Scripts/postgres.sh start)"     starts one in a new temporary folder and prints
#                                           THREATMAP_TEST_POSTGRES (a superuser's URL to its
#                                           `postgres` database; `threatmap_template` has PostGIS)
#                                           and THREATMAP_PG_DIR, as shell assignments
#   Scripts/postgres.sh stop DIR            stops it and removes the folder
#   Scripts/postgres.sh pause DIR           stops the server, keeping its data (as a restart or
#                                           an outage would)
#   Scripts/postgres.sh resume DIR          starts it again on the same port
#
# Installs Debian's postgresql and postgresql-15-postgis-3 if they are missing. Run as root, the
# cluster belongs to the postgres user (PostgreSQL refuses to run as root). Trust authentication,
# on 127.0.0.1 only: nothing outside the machine can reach it; except that members of the role
# threatmap_passworded must give their password (SCRAM), so that tests can check passwords. TLS
# is on, with a self-signed certificate made here for "localhost" (its copy in DIR/server.crt),
# so that tests can check sslmode.
set -euo pipefail
bin=/usr/lib/postgresql/15/bin

as_owner() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

start_server() {
  as_owner "$bin/pg_ctl" -D "$1/data" -l "$1/server.log" -w \
    -o "-p $(cat "$1/port") -k $1 -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200 \
        -c ssl=on -c ssl_cert_file=$1/server.crt -c ssl_key_file=$1/server.key" start >&2 \
    || { cat "$1/server.log" >&2; exit 1; }
}

case "${1:-}" in
start)
  if [ ! -x "$bin/initdb" ] || [ ! -f /usr/share/postgresql/15/extension/postgis.control ]; then
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq postgresql postgresql-15-postgis-3 >&2
  fi
  dir=$(mktemp -d /tmp/threatmap-pg.XXXXXX)
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  [ "$(id -u)" -ne 0 ] || chown postgres "$dir"
  as_owner "$bin/initdb" -D "$dir/data" -A trust -U postgres -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 \
    || { cat "$dir/initdb.log" >&2; exit 1; }
  echo "$port" >"$dir/port"
  openssl req -new -x509 -days 7 -nodes -subj "/CN=localhost" -keyout "$dir/server.key" -out "$dir/server.crt" >/dev/null 2>&1
  chmod 600 "$dir/server.key"
  [ "$(id -u)" -ne 0 ] || chown postgres "$dir/server.key" "$dir/server.crt"
  { echo "host all +threatmap_passworded 127.0.0.1/32 scram-sha-256"; cat "$dir/data/pg_hba.conf"; } >"$dir/hba"
  cat "$dir/hba" >"$dir/data/pg_hba.conf" && rm "$dir/hba"
  start_server "$dir"
  psql="psql -q -h 127.0.0.1 -p $port -U postgres -v ON_ERROR_STOP=1"
  $psql -d postgres -c "CREATE ROLE threatmap_passworded NOLOGIN" >&2
  $psql -d postgres -c "CREATE DATABASE threatmap_template" >&2
  $psql -d threatmap_template -c "CREATE EXTENSION postgis" >&2
  echo "export THREATMAP_TEST_POSTGRES=postgresql://postgres@127.0.0.1:$port/postgres"
  echo "export THREATMAP_PG_DIR=$dir"
  ;;
stop)
  dir="${2:?usage: postgres.sh stop DIR}"
  [ -d "$dir/data" ] && as_owner "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >&2 || true
  rm -rf "$dir"
  ;;
pause)
  as_owner "$bin/pg_ctl" -D "${2:?usage: postgres.sh pause DIR}/data" -m fast -w stop >&2
  ;;
resume)
  start_server "${2:?usage: postgres.sh resume DIR}"
  ;;
*)
  echo "usage: Scripts/postgres.sh start | stop DIR | pause DIR | resume DIR" >&2
  exit 2
  ;;
esac
