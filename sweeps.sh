#!/usr/bin/env bash
# Sweeps: the one entry script. `./sweeps.sh help` lists the subcommands.
#
#   ./sweeps.sh setup                 install what is missing (apt), build the native shim and the solution
#   ./sweeps.sh test                  setup, then every test project; last line "N passed, N failed, N skipped"
#   ./sweeps.sh run <sweep.yaml> ...  setup, then run a sweep with the CLI
#   ./sweeps.sh bench <name>          setup, then a benchmark (loader, train-step, qat-step, channels-last, metrics, methods, orchestration, cluster, cluster-idle, failover, cuda-check)
#   ./sweeps.sh status|cancel|teachers ...  the CLI at once, without setup (setup only when the CLI is not built)
#   ./sweeps.sh <command> ...         setup, then any other command of the CLI (version, ...)
#
# Environment:
#   Torch_DIR              another libtorch's CMake package (e.g. a CUDA build: /opt/libtorch/share/cmake/Torch)
#   SWEEPS_TEST_FILTER     passed to `dotnet test --filter` (run a subset of the tests)
#   SWEEPS_TEST_HANG       a single test running longer than this is killed and counted failed (default 20m)
set -euo pipefail

# The user's working directory: relative paths given to the CLI (sweep files) are resolved against it.
readonly USER_PWD="$PWD"
cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")"
readonly ROOT="$PWD"

# Debian packages the project needs. chromium: the report tests render report.html headless;
# prometheus: the monitoring tests start the real Prometheus (and promtool) on 127.0.0.1.
APT_PACKAGES=(libtorch-dev cmake g++ make python3-torch dataset-fashion-mnist chromium prometheus)
# slurm-wlm, munge: the Slurm tests start a real munged, slurmctld and slurmd on 127.0.0.1 (tests/Sweeps.Cli.Tests/Slurm);
# systemd: its systemd-analyze verifies ops/systemd's unit files (the service manager itself is not used).
APT_PACKAGES+=(slurm-wlm munge systemd)
# python3-torchvision (brings python3-pil): the resnet18/mobilenetv2 and image-folder reference tests, tools/make_image_folder.py.
APT_PACKAGES+=(python3-torchvision)

export DOTNET_NOLOGO=1
# .NET sizes its first-generation GC budget from the L3 cache size, and virtual machines often report
# the host's (260 MiB on our development VM): a process would then hold that much garbage before its
# first collection, and its RSS would climb for thousands of training steps. Sweeps' processes
# allocate little managed memory (tensors live in native memory, freed deterministically), so a 4 MiB
# budget keeps their RSS flat at no measurable cost. Set DOTNET_GCgen0size yourself to override it.
export DOTNET_GCgen0size="${DOTNET_GCgen0size:-0x400000}"

readonly CONFIG=Release
# Under CI (CI=true) no MSBuild node or compiler server outlives the run.
DOTNET_BUILD_ARGS=(-nologo)
[[ "${CI:-}" == true ]] && DOTNET_BUILD_ARGS+=(-nodeReuse:false -p:UseSharedCompilation=false)
readonly NATIVE_SRC=training/native
readonly NATIVE_BUILD=training/native/build
readonly CLI_DLL=cluster/Sweeps.Cli/bin/$CONFIG/net10.0/Sweeps.Cli.dll
readonly TEST_RESULTS=.artifacts/test-results
readonly LOG_DIR=.artifacts/logs

# Benchmarks: name -> driver script.
declare -A BENCHES=([loader]=bench/run_loader.sh [train-step]=bench/run_train_step.sh [qat-step]=bench/run_qat_step.sh [channels-last]=bench/run_channels_last.sh [metrics]=bench/run_metrics.sh [methods]=bench/run_methods.sh [orchestration]=bench/run_orchestration.sh [cluster]=bench/run_cluster.sh [cluster-idle]=bench/run_cluster_idle.sh [failover]=bench/run_failover.sh [cuda-check]=bench/run_cuda_check.sh)

usage() {
  cat <<EOF
usage: ./sweeps.sh <command> [args...]

  setup                    install missing Debian packages, build the libtorch shim and the .NET solution
  test                     setup, then run every test project; last line: N passed, N failed, N skipped
  run <sweep.yaml> [...]   setup, then run a sweep (e.g. ./sweeps.sh run sweeps/quick.yaml)
  bench <name>             setup, then run a benchmark: ${!BENCHES[*]}
  report <dir> [--accuracy last|mean5|best]
                           write a sweep folder's report.md, report.html (self-contained) and results.csv
  status <dir>             a sweep's trials: status, epochs, accuracy (no setup: answers at once)
  cancel <dir>             ask the sweep running in <dir> to stop (no setup)
  teachers list|remove     the cached FP teachers (no setup)
  version                  Sweeps and libtorch versions, threads, devices
  help                     this text

Any other command is passed to the Sweeps CLI (cluster/Sweeps.Cli).
Environment: Torch_DIR=<libtorch>/share/cmake/Torch picks another libtorch (e.g. CUDA) for setup.
EOF
}

die() {
  echo "sweeps.sh: error: $*" >&2
  exit 1
}

# step "<what>" cmd args...: runs the command with its output in a log file; prints one line on
# success, the whole log on failure (then exits with the command's status).
step() {
  local what="$1"
  shift
  mkdir -p "$LOG_DIR"
  local log
  log="$LOG_DIR/$(echo "$what" | tr -c 'a-zA-Z0-9\n' '-').log"
  local start=$SECONDS rc=0
  "$@" >"$log" 2>&1 </dev/null || rc=$?
  if [[ $rc -ne 0 ]]; then
    echo "setup: $what FAILED (exit $rc): $*" >&2
    cat "$log" >&2
    echo "setup: $what FAILED (exit $rc); the output above is also in $log" >&2
    exit "$rc"
  fi
  echo "setup: $what ok ($((SECONDS - start)) s)"
}

missing_packages() {
  local pkg
  for pkg in "${APT_PACKAGES[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed'; then
      echo "$pkg"
    fi
  done
}

install_packages() {
  local missing
  mapfile -t missing < <(missing_packages)
  if [[ ${#missing[@]} -eq 0 ]]; then
    echo "setup: Debian packages present (${APT_PACKAGES[*]})"
    return
  fi
  local sudo=()
  if [[ $EUID -ne 0 ]]; then
    if command -v sudo >/dev/null 2>&1; then
      sudo=(sudo)
    else
      die "missing Debian packages: ${missing[*]}. Not root and no sudo: install them as root with
  apt-get update && apt-get install -y --no-install-recommends ${missing[*]}"
    fi
  fi
  echo "setup: installing Debian packages: ${missing[*]}"
  step "apt-get update" "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update
  step "apt-get install" "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y --no-install-recommends "${missing[@]}"
}

build_native() {
  local args=(-S "$NATIVE_SRC" -B "$NATIVE_BUILD" -DCMAKE_BUILD_TYPE=Release)
  if [[ -n "${Torch_DIR:-}" ]]; then
    [[ -f "$Torch_DIR/TorchConfig.cmake" ]] || die "Torch_DIR=$Torch_DIR has no TorchConfig.cmake (expected <libtorch>/share/cmake/Torch)"
    args+=("-DTorch_DIR=$Torch_DIR")
  fi
  # Configure only when needed (first time, or another Torch_DIR): the build re-runs it when CMakeLists changes.
  if [[ ! -f "$NATIVE_BUILD/CMakeCache.txt" || -n "${Torch_DIR:-}" ]]; then
    step "cmake configure (native shim)" cmake "${args[@]}"
  fi
  step "native shim ($NATIVE_BUILD/libsweeps_native.so)" cmake --build "$NATIVE_BUILD" -j "$(nproc)"
}

# Everything but the .NET build: packages, dotnet, the native shim.
prerequisites() {
  install_packages
  command -v dotnet >/dev/null 2>&1 \
    || die "'dotnet' was not found on PATH: install the .NET 10 SDK (https://dot.net) and try again"
  build_native
}

setup() {
  prerequisites
  step "dotnet build Sweeps.sln -c $CONFIG" dotnet build Sweeps.sln -c "$CONFIG" "${DOTNET_BUILD_ARGS[@]}"
}

# Test projects of the solution: every project whose file name ends in Tests.csproj.
test_projects() {
  dotnet sln Sweeps.sln list | tr '\\' '/' | grep -E 'Tests\.csproj$' || true
}

# trx_counter FILE ATTR: an attribute of the TRX file's <Counters> element (0 when absent).
trx_counter() {
  local value
  value=$(grep -o '<Counters [^>]*>' "$1" | head -1 | grep -o " $2=\"[0-9]*\"" | grep -o '[0-9]\+' || true)
  echo "${value:-0}"
}

run_tests() {
  prerequisites
  # A build error must not hide the results of the projects that do build: on failure, say so and
  # build each test project alone below (those that fail count as failed, "did not run").
  mkdir -p "$LOG_DIR"
  local solution_built=1 build_log="$LOG_DIR/dotnet-build-solution.log"
  local start=$SECONDS
  if dotnet build Sweeps.sln -c "$CONFIG" "${DOTNET_BUILD_ARGS[@]}" >"$build_log" 2>&1 </dev/null; then
    echo "setup: dotnet build Sweeps.sln -c $CONFIG ok ($((SECONDS - start)) s)"
  else
    solution_built=0
    echo "setup: dotnet build Sweeps.sln -c $CONFIG FAILED (full output in $build_log):"
    grep -E ': error [A-Z]+[0-9]+' "$build_log" | sed 's/^ *//' | sort -u || tail -30 "$build_log"
  fi
  local projects
  mapfile -t projects < <(test_projects)
  [[ ${#projects[@]} -gt 0 ]] || die "no test project (*Tests.csproj) in Sweeps.sln"
  rm -rf "$TEST_RESULTS"
  mkdir -p "$TEST_RESULTS"
  local filter=()
  [[ -n "${SWEEPS_TEST_FILTER:-}" ]] && filter=(--filter "$SWEEPS_TEST_FILTER")

  local passed=0 failed=0 skipped=0 problems=() project
  if [[ $solution_built -eq 0 ]]; then
    failed=1
    problems+=("Sweeps.sln: build failed (see $build_log)")
  fi
  for project in "${projects[@]}"; do
    local name trx rc=0
    name=$(basename "$project" .csproj)
    trx="$TEST_RESULTS/$name.trx"
    echo "test: $name"
    if [[ $solution_built -eq 0 ]]; then
      local project_log="$LOG_DIR/dotnet-build-$name.log"
      if ! dotnet build "$project" -c "$CONFIG" "${DOTNET_BUILD_ARGS[@]}" >"$project_log" 2>&1 </dev/null; then
        echo "test: $name does not build (see $project_log)"
        problems+=("$name: did not run (build error, see $project_log)")
        failed=$((failed + 1))
        continue
      fi
    fi
    # --no-build: setup just built the solution. --blame-hang: a hung test is killed and reported.
    dotnet test "$project" -c "$CONFIG" --no-build --nologo "${filter[@]}" \
      --logger "trx;LogFileName=$name.trx" --results-directory "$TEST_RESULTS" \
      --blame-hang-timeout "${SWEEPS_TEST_HANG:-20m}" --blame-hang-dump-type none </dev/null || rc=$?
    if [[ ! -f "$trx" ]]; then
      problems+=("$name: did not run (dotnet test exit $rc, no results file)")
      failed=$((failed + 1))
      continue
    fi
    local p f s
    p=$(trx_counter "$trx" passed)
    f=$(($(trx_counter "$trx" failed) + $(trx_counter "$trx" error) + $(trx_counter "$trx" timeout) + $(trx_counter "$trx" aborted)))
    # Skipped tests: xunit's TRX counts them in total but not in executed (notExecuted stays 0).
    s=$(($(trx_counter "$trx" total) - p - f))
    [[ $s -ge 0 ]] || s=0
    passed=$((passed + p))
    skipped=$((skipped + s))
    if [[ $f -gt 0 ]]; then
      failed=$((failed + f))
      problems+=("$name: $f test(s) failed")
    elif [[ $rc -ne 0 ]]; then
      # Nonzero exit without a failed test: the test host crashed or the run was aborted.
      failed=$((failed + 1))
      problems+=("$name: test run aborted (dotnet test exit $rc; test host crashed?) after $p passed")
    elif grep -q '<RunInfo [^>]*outcome="Error"' "$trx"; then
      failed=$((failed + 1))
      problems+=("$name: the test run reported an error (see $trx)")
    fi
  done

  echo
  echo "test results: $TEST_RESULTS/"
  local problem
  for problem in "${problems[@]}"; do
    echo "FAILED: $problem"
  done
  if [[ $failed -gt 0 ]]; then
    # The failed tests by name with their messages, here at the end where a CI log's tail shows them.
    python3 "$ROOT/tools/trx_failures.py" --lines "${SWEEPS_FAILURE_LINES:-40}" "$TEST_RESULTS"/*.trx || true
  fi
  echo "$passed passed, $failed failed, $skipped skipped"
  [[ $failed -eq 0 ]]
}

run_cli() {
  setup
  [[ -f "$CLI_DLL" ]] || die "$CLI_DLL was not built"
  cd "$USER_PWD"
  exec dotnet "$ROOT/$CLI_DLL" "$@"
}

# A source the CLI is built from that is newer than the built CLI; nothing when there is none. "The built CLI" is
# the newest of the Sweeps assemblies in its folder: a change inside one project rebuilds that project's assembly
# (and copies it there) but not the assemblies that only reference it.
newer_source() {
  local built
  built=$(ls -t "$(dirname "$CLI_DLL")"/Sweeps.*.dll 2>/dev/null | head -1)
  {
    find cluster actors training \( -name bin -o -name obj -o -name build \) -prune -o \
      -type f \( -name '*.cs' -o -name '*.csproj' -o -name '*.cpp' -o -name '*.h' -o -name CMakeLists.txt \) \
      -newer "$built" -print -quit 2>/dev/null || true
    find Directory.Build.props Directory.Packages.props -newer "$built" -print 2>/dev/null || true
  } | head -1
}

# status, cancel and teachers answer at once: they read a sweep's store (or the teacher cache) and are often run
# beside a running sweep, so they never build when the CLI is built (a build would replace the files the running
# sweep's process runs from). A fresh checkout, with no CLI yet, is set up first. A CLI older than its sources
# still answers, with a note on stderr.
run_cli_quick() {
  if [[ ! -f "$CLI_DLL" || ! -f "$NATIVE_BUILD/libsweeps_native.so" ]]; then
    run_cli "$@"
  fi
  local newer
  newer=$(newer_source)
  if [[ -n "$newer" ]]; then
    echo "note: the built CLI is older than $newer; this answer comes from the built one (./sweeps.sh setup rebuilds)" >&2
  fi
  cd "$USER_PWD"
  exec dotnet "$ROOT/$CLI_DLL" "$@"
}

run_bench() {
  local name="${1:-}"
  if [[ -z "$name" || -z "${BENCHES[$name]+x}" ]]; then
    [[ -n "$name" ]] && echo "sweeps.sh: unknown benchmark '$name'" >&2
    echo "available benchmarks: ${!BENCHES[*]}" >&2
    exit 2
  fi
  shift
  setup
  # Benchmarks resolve relative paths in their settings (e.g. TEACHER, OUT) against the caller's folder.
  export SWEEPS_USER_PWD="$USER_PWD"
  exec bash "${BENCHES[$name]}" "$@"
}

main() {
  local command="${1:-}"
  [[ $# -gt 0 ]] && shift
  case "$command" in
    "") usage >&2; exit 2 ;;
    help | -h | --help) usage ;;
    setup) setup ;;
    test) run_tests ;;
    bench) run_bench "$@" ;;
    run)
      [[ $# -ge 1 ]] || { echo "sweeps.sh: usage: ./sweeps.sh run <sweep.yaml> [args...]" >&2; exit 2; }
      run_cli run "$@"
      ;;
    status | cancel | teachers) run_cli_quick "$command" "$@" ;;
    -*) echo "sweeps.sh: unknown option '$command'" >&2; usage >&2; exit 2 ;;
    # Everything else (version, train, ...) belongs to the CLI, which prints its usage and exits 2
    # for a command it does not know.
    *) run_cli "$command" "$@" ;;
  esac
}

main "$@"
