#!/usr/bin/env bash
# Several `fugong serve` instances on one PostgreSQL database behind nginx, on this machine,
# from Debian's packages: the scale-out setup in miniature (deploy/SCALE-OUT.md).
#
#   deploy/local-cluster.sh [--instances N] [--demo] [--port PORT] [--fresh] [--database-url URL]
#
#   --instances N   how many instances (default 3), named a, b, c … (FUGONG_INSTANCE)
#   --demo          `fugong demo` instead of `fugong serve`: loads the demo district into an
#                   empty database (accounts in the README, password Fugong@2020)
#   --port PORT     nginx's port on 127.0.0.1 (default 8080); the instances take the ports
#                   after it (8081, 8082 …)
#   --fresh         drop and recreate the database (and this script's folder) first
#   --database-url  default postgres://fugong:fugong@127.0.0.1:5432/fugong_cluster; for that
#                   default, PostgreSQL is installed and started if need be, and the role
#                   fugong (password fugong, CREATEDB) and the database are created
#
# Installs `postgresql` and `nginx` with apt-get when they are missing (as root). The binary
# is $FUGONG_BIN, else .build/release/fugong, else .build/debug/fugong. Everything the script
# writes is in $FUGONG_CLUSTER_DIR (default /tmp/fugong-local-cluster): the instances' shared
# data folder (FUGONG_DATA_DIR), the personal-data key (made once, 32 random bytes; every
# instance gets it as FUGONG_DATA_KEY), the logs, and nginx's configuration, pid and logs
# (nginx runs in the foreground with its own prefix: the system's nginx is not touched).
# Ctrl-C stops all of it.
set -euo pipefail
cd "$(dirname "$0")/.."

instances=3
command=serve
port=8080
fresh=false
default_url="postgres://fugong:fugong@127.0.0.1:5432/fugong_cluster"
database_url="${DATABASE_URL:-$default_url}"
usage() { awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0" >&2; exit 2; }
while [ $# -gt 0 ]; do
  case "$1" in
    --instances) instances="${2:?}"; shift 2 ;;
    --demo) command=demo; shift ;;
    --port) port="${2:?}"; shift 2 ;;
    --fresh) fresh=true; shift ;;
    --database-url) database_url="${2:?}"; shift 2 ;;
    -h|--help) usage ;;
    *) echo "unknown argument: $1" >&2; usage ;;
  esac
done
case "$instances" in ''|*[!0-9]*|0) echo "--instances takes a number from 1 to 26" >&2; exit 2 ;; esac
[ "$instances" -le 26 ] || { echo "--instances takes a number from 1 to 26" >&2; exit 2; }

# --- the binary ------------------------------------------------------------------------------
if [ -n "${FUGONG_BIN:-}" ]; then
  bin="$FUGONG_BIN"
elif [ -x .build/release/fugong ]; then
  bin=.build/release/fugong
else
  bin=.build/debug/fugong
fi
[ -x "$bin" ] || { echo "no fugong binary at $bin: swift build -c release --product fugong" >&2; exit 1; }
echo "binary: $bin ($(date -r "$bin" '+built %Y-%m-%d %H:%M'))"

# --- packages --------------------------------------------------------------------------------
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else return 1; fi; }
as_postgres() { if [ "$(id -u)" = 0 ]; then su postgres -c "$1"; else sudo -u postgres sh -c "$1"; fi; }
missing=()
command -v nginx >/dev/null || missing+=(nginx)
if [ "$database_url" = "$default_url" ] && ! command -v pg_ctlcluster >/dev/null; then missing+=(postgresql); fi
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  as_root apt-get install -y -q "${missing[@]}" || { as_root apt-get update -q && as_root apt-get install -y -q "${missing[@]}"; }
fi
command -v nginx >/dev/null || export PATH="$PATH:/usr/sbin"

# --- PostgreSQL (only for the default, local URL) ---------------------------------------------
if [ "$database_url" = "$default_url" ]; then
  version=$(ls /etc/postgresql | sort -n | tail -n 1)
  if ! pg_isready -q -h 127.0.0.1 -p 5432; then
    echo "starting PostgreSQL $version (pg_ctlcluster $version main start)"
    as_root pg_ctlcluster "$version" main start
    for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
  fi
  as_postgres "psql -tAc \"SELECT 1 FROM pg_roles WHERE rolname = 'fugong'\"" | grep -q 1 \
    || as_postgres "psql -q -c \"CREATE ROLE fugong LOGIN PASSWORD 'fugong' CREATEDB;\""
  if $fresh; then
    echo "dropping the database fugong_cluster (--fresh)"
    as_postgres "dropdb --if-exists --force fugong_cluster"
  fi
  as_postgres "psql -tAc \"SELECT 1 FROM pg_database WHERE datname = 'fugong_cluster'\"" | grep -q 1 \
    || as_postgres "createdb -O fugong fugong_cluster"
elif $fresh; then
  echo "--fresh drops only the default local database; empty $database_url yourself" >&2
  exit 2
fi

# --- the folder, the key, the ports ------------------------------------------------------------
dir="${FUGONG_CLUSTER_DIR:-${TMPDIR:-/tmp}/fugong-local-cluster}"
$fresh && rm -rf "$dir"
mkdir -p "$dir/data" "$dir/logs" "$dir/nginx"
chmod 700 "$dir"
if [ ! -s "$dir/data-key" ]; then
  # The personal-data key: made once and kept, since the sealed ID numbers in the database
  # can be read only with the key that sealed them.
  (umask 077 && head -c 32 /dev/urandom | base64 > "$dir/data-key")
  echo "made a personal-data key in $dir/data-key (a database from before it cannot be read with it: use --fresh)"
fi

names=(a b c d e f g h i j k l m n o p q r s t u v w x y z)
ports=()
for i in $(seq 1 "$instances"); do ports+=($((port + i))); done
for p in "$port" "${ports[@]}"; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
    echo "port $p on 127.0.0.1 is already in use; choose another with --port" >&2
    exit 1
  fi
done

# --- stop everything on Ctrl-C or exit -------------------------------------------------------
pids=()
cleanup() {
  trap - INT TERM EXIT
  echo
  echo "stopping ${#pids[@]} processes"
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  echo "stopped; logs kept in $dir/logs and $dir/nginx"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- the instances, all at once (the first takes the migration lock, the others wait) -----------
export DATABASE_URL="$database_url"
export FUGONG_DATA_DIR="$dir/data"
FUGONG_DATA_KEY="$(cat "$dir/data-key")"
export FUGONG_DATA_KEY
export FUGONG_TRUST_PROXY=true
export LOG_LEVEL="${LOG_LEVEL:-notice}"
upstreams=()
for i in "${!ports[@]}"; do
  name="${names[$i]}"
  FUGONG_INSTANCE="$name" "$bin" "$command" --hostname 127.0.0.1 --port "${ports[$i]}" \
    >> "$dir/logs/$name.log" 2>&1 < /dev/null &
  pids+=($!)
  upstreams+=("127.0.0.1:${ports[$i]}")
  echo "instance $name: $command on 127.0.0.1:${ports[$i]} (pid $!, log $dir/logs/$name.log)"
done

# --- nginx in front ------------------------------------------------------------------------------
deploy/nginx-config.sh --standalone "$dir/nginx" "127.0.0.1:$port" "${upstreams[@]}" > "$dir/nginx/nginx.conf"
nginx -t -q -p "$dir/nginx" -e "$dir/nginx/error.log" -c "$dir/nginx/nginx.conf"
nginx -p "$dir/nginx" -e "$dir/nginx/error.log" -c "$dir/nginx/nginx.conf" &
pids+=($!)
echo "nginx: 127.0.0.1:$port (pid $!, config $dir/nginx/nginx.conf)"

# --- wait until every one answers /healthz --------------------------------------------------------
wait_healthy() {  # name address pid
  for _ in $(seq 1 600); do
    curl -fs -o /dev/null --max-time 2 "http://$2/healthz" && return 0
    kill -0 "$3" 2>/dev/null || { echo "$1 exited; its log ends:" >&2; tail -n 20 "$dir/logs/$1.log" >&2 2>/dev/null; return 1; }
    sleep 0.5
  done
  echo "$1 did not answer /healthz within 300 s" >&2
  return 1
}
started=$(date +%s)
for i in "${!ports[@]}"; do
  wait_healthy "${names[$i]}" "127.0.0.1:${ports[$i]}" "${pids[$i]}" || exit 1
done
wait_healthy nginx "127.0.0.1:$port" "${pids[-1]}" || exit 1
echo
echo "Fugong: http://127.0.0.1:$port  (nginx, round robin over ${#ports[@]} instances; all answered /healthz after $(( $(date +%s) - started )) s)"
for i in "${!ports[@]}"; do
  echo "  instance ${names[$i]}: http://127.0.0.1:${ports[$i]}   (/metrics from here: curl http://127.0.0.1:${ports[$i]}/metrics)"
done
echo "  database: $database_url"
echo "  nginx's log, with the instance of each request: tail -f $dir/nginx/access.log"
[ "$command" = demo ] && echo "  demo accounts (README): admin, agent, company, … password Fugong@2020"
echo "Ctrl-C stops everything (kill one instance's pid to watch nginx route around it)."

# Say when an instance stops by itself; nginx goes on with the others.
alive=("${pids[@]}")
while :; do
  for i in "${!alive[@]}"; do
    pid="${alive[$i]}"
    [ -n "$pid" ] || continue
    if ! kill -0 "$pid" 2>/dev/null; then
      if [ "$i" -lt "${#ports[@]}" ]; then
        echo "instance ${names[$i]} (pid $pid) stopped; nginx sends its requests to the others"
      else
        echo "nginx (pid $pid) stopped"; exit 1
      fi
      alive[$i]=""
    fi
  done
  sleep 2
done
