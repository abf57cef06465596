#!/usr/bin/env bash
# One command for the performance table: builds the JMH jar and the C program, runs the JMH suite on every JDK
# present (17 from PATH, and 25), the same workloads in CPython and the C limit, and CPython clients against the
# Java manager server and against CPython's own (manager_protocol_bench.py), all on this machine in one run, and
# writes benchmarks/results/latest.{json,md,svg}.
#
#   benchmarks/run.sh [--quick] [--no-build] [--publish]
#
# --quick     about three minutes: one fork, short iterations, fewer rounds, no JDK 25 run with the nio mapping
#             (figures are rougher). Without it (about 17 minutes): two forks per benchmark, longer warm-up and
#             measurement.
# --no-build  uses the jar already in benchmarks/target.
# --publish   also copies the results to docs/performance/, the copy docs/performance.md shows.
# Environment: PYTHON (default: CPython 3.13 from pyenv, else python3), JAVA17 (default: java on PATH),
# JAVA25 (default: /usr/lib/jvm/temurin-25-jdk-amd64/bin/java, skipped if absent), JMH_INCLUDE (a JMH regexp).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

mode=full
build=1
publish=0
for arg in "$@"; do
  case "$arg" in
    --quick) mode=quick ;;
    --no-build) build=0 ;;
    --publish) publish=1 ;;
    -h|--help) sed -n '2,16p' "$0"; exit 0 ;;
    *) echo "run.sh: unknown option $arg" >&2; exit 2 ;;
  esac
done

if [[ $mode == quick ]]; then
  jmh_opts=(-f 1 -wi 1 -w 150ms -i 3 -r 150ms)
  c_args=(5 1000 3)
  py_args=(--quick)
else
  jmh_opts=(-f 2 -wi 3 -w 500ms -i 5 -r 500ms)
  c_args=(15 3000 8)
  py_args=()
fi

python=${PYTHON:-}
if [[ -z $python ]]; then
  if [[ -x /root/.pyenv/versions/3.13.0/bin/python3 ]]; then python=/root/.pyenv/versions/3.13.0/bin/python3
  else python=python3; fi
fi
java17=${JAVA17:-java}
java25=${JAVA25:-/usr/lib/jvm/temurin-25-jdk-amd64/bin/java}

target=benchmarks/target
raw=benchmarks/results/raw
rm -rf "$raw" && mkdir -p "$raw" "$target"
start=$(date +%s)
say() { echo "[run.sh $(( $(date +%s) - start ))s] $*" >&2; }

if (( build )); then
  say "building the JMH jar"
  ./mvnw -B -q -pl benchmarks -am package -DskipTests
fi
say "compiling the C limit program"
gcc -O2 -Wall -o "$target/shmlimit" benchmarks/c/shmlimit.c -lrt

load_start=$(cut -d' ' -f1-3 /proc/loadavg)
cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')

say "C limit: ${c_args[*]}"
"$target/shmlimit" "${c_args[@]}" > "$raw/c.json"

say "CPython: $("$python" --version 2>&1) ($python)"
"$python" benchmarks/python_bench.py "${py_args[@]}" > "$raw/python.json"

say "manager wire protocol: CPython clients against the Java server ($java17) and CPython's own"
JAVA=$java17 "$python" benchmarks/manager_protocol_bench.py --jar "$target/benchmarks.jar" "${py_args[@]}" \
  > "$raw/manager.json" 2> "$raw/manager.log" || say "manager protocol benchmark failed, see $raw/manager.log"

# run_jvm ID JAVA "JVM options" [JMH include regexp]
run_jvm() {
  local id=$1 java=$2 jvm_opts=$3 include=${4:-${JMH_INCLUDE:-}}
  local dir="$raw/jvm-$id"
  mkdir -p "$dir"
  # shellcheck disable=SC2086 # the options are words on purpose
  "$java" $jvm_opts -cp "$target/benchmarks.jar" dev.sharedmemory.benchmarks.Environment > "$dir/env.json"
  say "JMH on $id: $(cat "$dir/env.json")"
  "$java" -jar "$target/benchmarks.jar" "${jmh_opts[@]}" ${jvm_opts:+-jvmArgsAppend "$jvm_opts"} \
    -rf json -rff "$dir/jmh.json" ${include:+"$include"} > "$dir/jmh.log" 2>&1 \
    || say "JMH on $id failed, see $dir/jmh.log"
  grep -E '^(Benchmark|[A-Z][A-Za-z]+Benchmark\.)' "$dir/jmh.log" >&2 || true
}

run_jvm 17 "$java17" ""
if [[ -x $java25 ]]; then
  run_jvm 25 "$java25" ""
  # Both mapping implementations on the JDK that has both, for the workloads where they differ.
  if [[ -z ${JMH_INCLUDE:-} && $mode == full ]]; then
    run_jvm 25nio "$java25" "-Ddev.sharedmemory.mapping=nio" "benchmarks\.(Create|Attach|BulkCopy|FirstTouch)Benchmark\."
    echo '{"note": "only the workloads where the mapping implementation matters (create, attach, bulk copy)"}' \
      > "$raw/jvm-25nio/note.json"
  fi
else
  say "no JDK 25 at $java25: skipped"
fi

load_end=$(cut -d' ' -f1-3 /proc/loadavg)
cat > "$raw/meta.json" <<JSON
{"date": "$(date -u +%Y-%m-%dT%H:%MZ)", "mode": "$mode", "cpu": "$cpu", "cores": $(nproc),
 "kernel": "$(uname -sr)", "load_start": "$load_start", "load_end": "$load_end",
 "jmh_options": "${jmh_opts[*]}", "c_args": "${c_args[*]}", "python_args": "${py_args[*]:-}",
 "seconds": $(( $(date +%s) - start ))}
JSON
"$python" benchmarks/report.py "$raw" benchmarks/results
say "done: benchmarks/results/latest.{json,md,svg}"
if (( publish )); then
  mkdir -p docs/performance
  cp benchmarks/results/latest.json benchmarks/results/latest.md benchmarks/results/latest.svg docs/performance/
  say "published to docs/performance/"
fi
ls /dev/shm | grep -E '^(climit_|jmh_)' && say "warning: blocks left in /dev/shm" || true
