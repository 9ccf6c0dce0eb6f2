# Shared helpers for the side-by-side benchmarks (sourced). Measures one receiver process: wall time from the
# first byte sent to the last line written, CPU seconds (utime+stime of all its threads), peak RSS (VmHWM).
set -euo pipefail
BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
ROOT=$(cd "$BENCH_DIR/.." && pwd)
CLK_TCK=$(getconf CLK_TCK)

free_port() { node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'; }

wait_port() { # PORT TIMEOUT_S
  local deadline=$((SECONDS + ${2:-20}))
  until (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; do
    [ $SECONDS -lt $deadline ] || { echo "port $1 never opened" >&2; return 1; }
    sleep 0.05
  done
}

cpu_seconds() { # PID → utime+stime in seconds (all threads)
  awk -v t="$CLK_TCK" '{ printf "%.2f", ($14 + $15) / t }' "/proc/$1/stat"
}

# PID → cpu_seconds of PID plus its running child processes (Logwarden's native helpers, e.g. lw_udprecv)
cpu_seconds_tree() {
  local kids
  kids=$(awk -v p="$1" '$4 == p { print FILENAME }' /proc/[0-9]*/stat 2>/dev/null | tr '\n' ' ')
  # shellcheck disable=SC2086
  awk -v t="$CLK_TCK" '{ s += $14 + $15 } END { printf "%.2f", s / t }' "/proc/$1/stat" $kids 2>/dev/null
}

peak_rss_mb() { awk '/VmHWM/ { printf "%.1f", $2 / 1024 }' "/proc/$1/status"; }

# wait_lines FILE N TIMEOUT_S: poll the file size cheaply; count lines only when it stops growing.
wait_lines() {
  local file=$1 want=$2 deadline=$((SECONDS + $3)) last=-1 size lines
  while [ $SECONDS -lt $deadline ]; do
    size=$(stat -c %s "$file" 2>/dev/null || echo 0)
    if [ "$size" = "$last" ] && [ "$size" != 0 ]; then
      lines=$(wc -l < "$file")
      [ "$lines" -ge "$want" ] && { echo "$lines"; return 0; }
    fi
    last=$size
    sleep 0.05 # fine-grained: at 1M msgs a run lasts ~2-3 s, a 0.2 s poll added up to 0.4 s to both sides
  done
  wc -l < "$file" 2>/dev/null || echo 0
  return 1
}

now_ms() { date +%s%3N; }

machine_info() {
  echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
  echo "node $(node --version); $(rsyslogd -v | head -1)"
}

# report NAME N LINES T0 T1 PID → prints one result row and sets RESULT_RATE
report() {
  local name=$1 n=$2 lines=$3 t0=$4 t1=$5 pid=$6 secs rate cpu rss status=ok
  secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", (b - a) / 1000 }')
  rate=$(awk -v n="$lines" -v s="$secs" 'BEGIN { printf "%d", n / s }')
  cpu=$(cpu_seconds "$pid"); rss=$(peak_rss_mb "$pid")
  [ "$lines" -eq "$n" ] || status="FAILED (lost $((n - lines)) of $n)"
  printf '%-10s %10s msgs/s  %8ss wall  %7s CPU-s  %7s MB peak RSS  %s\n' "$name" "$rate" "$secs" "$cpu" "$rss" "$status"
  RESULT_RATE=$rate
  [ "$status" = ok ]
}
