#!/usr/bin/env bash
# Starts (or stops) a local RabbitMQ broker for Sweeps' cluster mode: one node bound to 127.0.0.1 on the
# given AMQP and distribution ports, with its own data and log folder and node name, and the configured
# user and virtual host (full permissions there). Used by the cluster tests and for trying cluster mode on
# one machine; a real cluster uses a normal rabbitmq-server installation with ops/rabbitmq/rabbitmq.conf.
#
#   ops/rabbitmq/start-local.sh start --dir DIR [--port 5672] [--dist-port 25672] [--user sweeps]
#                                     [--vhost sweeps] [--password-file FILE]
#   ops/rabbitmq/start-local.sh stop --dir DIR
#   ops/rabbitmq/start-local.sh status --dir DIR    queues (ready, unacknowledged, consumers) and connections
#   ops/rabbitmq/start-local.sh ctl --dir DIR -- ARGS...   rabbitmqctl ARGS against this broker (standard input
#                                                          passed on, e.g. for add_user's password)
#
# The password is read from --password-file (default DIR/broker.password); when that file does not exist a
# random password is written to it (mode 600). It is passed to rabbitmqctl on standard input, never on a
# command line. The node's Erlang cookie lives in DIR (HOME=DIR for the broker and rabbitmqctl).
set -euo pipefail

readonly HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
readonly RABBIT_BIN=/usr/lib/rabbitmq/bin

die() {
  echo "start-local.sh: error: $*" >&2
  exit 1
}

[[ -x "$RABBIT_BIN/rabbitmq-server" ]] || die "rabbitmq-server is not installed (expected $RABBIT_BIN/rabbitmq-server); run ./sweeps.sh setup or apt-get install rabbitmq-server"

cmd="${1:-}"
[[ "$cmd" == start || "$cmd" == stop || "$cmd" == status || "$cmd" == ctl ]] || die "usage: start-local.sh start|stop|status|ctl --dir DIR [--port P] [--dist-port P] [--user U] [--vhost V] [--password-file F] [-- CTL-ARGS]"
shift
dir='' port=5672 dist_port=25672 user=sweeps vhost=sweeps password_file=''
ctl_args=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --) shift; ctl_args=("$@"); break ;;
    --dir) dir="$2"; shift 2 ;;
    --port) port="$2"; shift 2 ;;
    --dist-port) dist_port="$2"; shift 2 ;;
    --user) user="$2"; shift 2 ;;
    --vhost) vhost="$2"; shift 2 ;;
    --password-file) password_file="$2"; shift 2 ;;
    *) die "unknown argument '$1'" ;;
  esac
done
[[ -n "$dir" ]] || die "--dir DIR is required (the broker's data, logs and cookie go there)"
mkdir -p "$dir"
dir="$(cd "$dir" && pwd)"

# Environment of the broker and of rabbitmqctl for this node.
node_env() {
  export HOME="$dir"
  export RABBITMQ_NODENAME="$(cat "$dir/nodename")"
  export RABBITMQ_NODE_IP_ADDRESS=127.0.0.1
  export RABBITMQ_NODE_PORT="$(cat "$dir/port")"
  export RABBITMQ_DIST_PORT="$(cat "$dir/dist-port")"
  export RABBITMQ_CTL_DIST_PORT_MIN="$((RABBITMQ_DIST_PORT + 1))"
  export RABBITMQ_CTL_DIST_PORT_MAX="$((RABBITMQ_DIST_PORT + 10))"
  export RABBITMQ_MNESIA_BASE="$dir/mnesia"
  export RABBITMQ_LOG_BASE="$dir/log"
  export RABBITMQ_CONFIG_FILE="$HERE/rabbitmq.conf"
  export RABBITMQ_ENABLED_PLUGINS_FILE="$dir/enabled_plugins"
  export RABBITMQ_PID_FILE="$dir/rabbitmq.pid"
  export ERL_EPMD_ADDRESS=127.0.0.1
  # Erlang distribution (rabbitmqctl) on the loopback interface only.
  export RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}"
}

# Whether the process in pid file $1 runs (a zombie, left unreaped by whoever started the script, does not).
running() {
  [[ -f "$1" ]] || return 1
  local pid state
  pid="$(cat "$1")"
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  state="$(sed -E 's/^[0-9]+ \(.*\) ([A-Za-z]).*/\1/' "/proc/$pid/stat" 2>/dev/null)" || return 1
  [[ -n "$state" && "$state" != Z ]]
}

ctl() {
  "$RABBIT_BIN/rabbitmqctl" -n "$RABBITMQ_NODENAME" "$@"
}

if [[ "$cmd" == stop ]]; then
  [[ -f "$dir/nodename" ]] || exit 0
  node_env
  # Only a running broker is stopped: rabbitmqctl stop waits for ever for the pid file of a stopped one.
  if running "$dir/server.pid"; then
    timeout 120 "$RABBIT_BIN/rabbitmqctl" -n "$RABBITMQ_NODENAME" stop "$RABBITMQ_PID_FILE" >/dev/null 2>&1 || true
    if running "$dir/server.pid"; then
      kill "$(cat "$dir/server.pid")" 2>/dev/null || true
    fi
    echo "stopped $(cat "$dir/nodename")"
  else
    echo "$(cat "$dir/nodename") is not running"
  fi
  exit 0
fi

if [[ "$cmd" == status ]]; then
  [[ -f "$dir/nodename" ]] || die "no broker was started in $dir"
  node_env
  vhost="$(cat "$dir/vhost")"
  echo "queues of $RABBITMQ_NODENAME, virtual host $vhost:"
  ctl list_queues -p "$vhost" --no-table-headers name messages_ready messages_unacknowledged consumers
  echo "connections:"
  ctl list_connections --no-table-headers user peer_port state channels
  exit 0
fi

if [[ "$cmd" == ctl ]]; then
  [[ -f "$dir/nodename" ]] || die "no broker was started in $dir"
  ((${#ctl_args[@]} > 0)) || die "ctl needs rabbitmqctl's arguments after --"
  node_env
  ctl "${ctl_args[@]}"
  exit $?
fi

[[ "$port" =~ ^[0-9]+$ && "$dist_port" =~ ^[0-9]+$ ]] || die "--port and --dist-port must be port numbers"
((dist_port + 10 <= 65535)) || die "--dist-port must be at most 65525 (rabbitmqctl uses the 10 ports above it)"
password_file="${password_file:-$dir/broker.password}"
if [[ ! -s "$password_file" ]]; then
  mkdir -p "$(dirname "$password_file")"
  (umask 077 && head -c 24 /dev/urandom | base64 | tr -d '/+=\n' >"$password_file")
fi
echo "sweeps-$port@localhost" >"$dir/nodename"
echo "$port" >"$dir/port"
echo "$dist_port" >"$dir/dist-port"
echo "$vhost" >"$dir/vhost"
echo '[].' >"$dir/enabled_plugins"
mkdir -p "$dir/mnesia" "$dir/log"
node_env

nohup "$RABBIT_BIN/rabbitmq-server" >"$dir/log/console.log" 2>&1 </dev/null &
echo $! >"$dir/server.pid"
# await_startup fails at once while the node is not yet registered with epmd: retry for up to 120 s.
deadline=$((SECONDS + 120))
until ctl await_startup --timeout 120 >"$dir/log/await.log" 2>&1; do
  if ! running "$dir/server.pid" || ((SECONDS > deadline)); then
    echo "start-local.sh: the broker did not start; its console log:" >&2
    tail -n 40 "$dir/log/console.log" "$dir/log/await.log" >&2
    exit 1
  fi
  sleep 0.5
done

ctl add_vhost "$vhost" >/dev/null 2>&1 || true
# A restart keeps the user (its data directory survives): never delete and re-add it then. Clients reconnecting
# while the user is briefly missing get ACCESS_REFUSED, which MassTransit takes as permanent and stops retrying.
if ! ctl list_users --quiet --no-table-headers 2>/dev/null | awk '{print $1}' | grep -qxF "$user"; then
  ctl add_user "$user" <"$password_file" >/dev/null
fi
ctl set_permissions -p "$vhost" "$user" '.*' '.*' '.*' >/dev/null
ctl delete_user guest >/dev/null 2>&1 || true
ctl delete_user sweeps-admin-disabled >/dev/null 2>&1 || true
echo "started $RABBITMQ_NODENAME: amqp://$user@127.0.0.1:$port/$vhost (password in $password_file)"
