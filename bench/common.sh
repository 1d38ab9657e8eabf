# Sourced by the benchmark drivers (bench/run_*.sh): moves to the repository root and defines
#   ROOT      the repository root
#   BASE      the folder `./sweeps.sh` was started in (relative paths given by the user are taken from there)
#   die MSG   prints "<script>: MSG" to stderr and exits 2 (bad settings)
#   absolute PATH   PATH made absolute against BASE
cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.."
ROOT=$PWD
BASE=${SWEEPS_USER_PWD:-$ROOT}

die() { echo "$(basename "$0"): $*" >&2; exit 2; }
absolute() { [[ $1 = /* ]] && echo "$1" || echo "$BASE/$1"; }
