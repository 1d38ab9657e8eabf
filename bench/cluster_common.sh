# Sourced by the cluster benchmarks (after common.sh): helpers to run an Akka cluster of Sweeps processes on 127.0.0.1.
#   CLI                          the built Sweeps.Cli.dll
#   free_port                    prints a free TCP port on 127.0.0.1
#   cluster_config DIR P0 P1...  writes DIR/cluster.hocon: coordinator port P0, seeds P0 P1 ... (the workers' ports),
#                                checkpoints DIR/ck, store DIR/out/store.db, no metrics, and the repository's akka block
#   store_query DIR SQL ARGS...  prints the rows of a query on DIR/out/store.db (nothing while it does not exist)
#   median X...                  prints the median of the numbers
CLI="$ROOT/cluster/Sweeps.Cli/bin/Release/net10.0/Sweeps.Cli.dll"

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

cluster_config() {
  local dir="$1" first="$2" seeds
  shift
  seeds=$(printf '"127.0.0.1:%s", ' "$@"); seeds=${seeds%, }
  {
    cat <<HOCON
sweeps {
  port = $first
  seed-nodes = [$seeds]
  checkpoint-dir = ck
  store-path = out/store.db
  metrics-address = off
}
HOCON
    sed -n '/^akka {/,$p' "$ROOT/cluster.hocon"
  } >"$dir/cluster.hocon"
}

store_query() {
  python3 - "$@" <<'PY'
import os, sqlite3, sys
path = os.path.join(sys.argv[1], "out", "store.db")
if os.path.exists(path):
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5) as db:
            for row in db.execute(sys.argv[2], sys.argv[3:]):
                print("\t".join(str(c) for c in row))
    except sqlite3.OperationalError:
        pass
PY
}

median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
