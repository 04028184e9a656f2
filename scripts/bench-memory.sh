#!/usr/bin/env bash
# Memory over a long run: the default example (scripts/examples/default.lua: 4 workers, 20
# connections, bursts of 4) at RATE req/s for SECONDS against soapload-mock with its ID set on,
# as the default run has it. Every INTERVAL seconds it reads from /proc the RSS of soapload's
# parent, of each worker and of the mock, and from the mock's /stats what its ID set holds.
# Prints each process's RSS at the start (the first sample once sending is under way), the
# middle and the end of sending (after it the parent reads the send records back, which is not
# the run's memory), its growth per minute (the least-squares slope over those samples, and over
# their second half), each one's RSS over the run, then a verdict: soapload is flat when no
# process of it grows by more than FLAT_KIB_PER_MIN KiB a minute (default 64) over the second
# half; the mock's growth is set against its ID set's, which grows by design (a table's
# doubling is a step) up to its stated bound.
# Usage: scripts/bench-memory.sh [SECONDS=600] [RATE=10000] (short values for a quick check)
# INTERVAL (default 5 s; less for runs under 100 s), MOCK_ARGS (more soapload-mock flags, e.g.
# "--id-log /tmp/ids"), BIN_DIR=DIR uses the binaries in DIR (e.g. build/plain) instead of
# building build/release.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"
secs=${1:-600}
rate=${2:-10000}
interval=${INTERVAL:-$(awk -v s="$secs" 'BEGIN { i = s / 20; print (i >= 5 ? 5 : (i < 1 ? 1 : int(i))) }')}
flat=${FLAT_KIB_PER_MIN:-64}
if [ -z "${BIN_DIR:-}" ]; then
    scripts/bootstrap.sh build bench
    scripts/build.sh
fi
bin=${BIN_DIR:-build/release}
MOCK_BIN=$bin/soapload-mock
. scripts/bench-lib.sh
# shellcheck disable=SC2086 # MOCK_ARGS is a list of flags
start_mock ${MOCK_ARGS:-}
stats_url=${url%/soap/endpoint}/stats

echo "== memory over ${secs} s at ${rate} req/s (RSS sampled every ${interval} s from /proc)"
"$bin/soapload" -q --json "$work/run.json" -R "$rate" -d "${secs}s" -u "$url" \
    scripts/examples/default.lua >"$work/run.out" 2>&1 &
sl_pid=$!
# one line per sample and process: seconds role pid rss-KiB; and seconds set_bytes distinct
: >"$work/rss"
: >"$work/ids"
t0=$(date +%s.%N)
while kill -0 "$sl_pid" 2>/dev/null; do
    now=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
    {
        r=$(rss_kib "$sl_pid" 2>/dev/null || true)
        [ -n "$r" ] && echo "$now parent $sl_pid $r"
        for w in $(pgrep -P "$sl_pid" || true); do
            r=$(rss_kib "$w" 2>/dev/null || true)
            [ -n "$r" ] && echo "$now worker $w $r"
        done
        echo "$now mock $mock_pid $(rss_kib "$mock_pid")"
    } >>"$work/rss"
    curl -s --max-time 2 "$stats_url" | python3 -c '
import json, sys
i = json.load(sys.stdin)["ids"]
print(sys.argv[1], i["set_bytes"], i["distinct"], i.get("set_max_bytes", 0), i.get("max_distinct", 0))
' "$now" >>"$work/ids" 2>/dev/null || true
    sleep "$interval"
done
status=0
wait "$sl_pid" || status=$?

python3 - "$work/rss" "$work/ids" "$work/run.json" "$secs" "$flat" "$status" <<'PY'
import json, sys
rss_file, ids_file, run_file, secs, flat, status = sys.argv[1:7]
secs, flat = float(secs), float(flat)
samples = {}  # (role, pid) -> [(t, kib)]
for line in open(rss_file):
    t, role, pid, kib = line.split()
    samples.setdefault((role, int(pid)), []).append((float(t), int(kib)))
ids = [tuple(float(x) for x in l.split()) for l in open(ids_file) if len(l.split()) == 5]
start_at = min(secs * 0.05 + 2, secs / 2)  # once the workers are sending

def slope(points):  # KiB per minute, least squares
    n = len(points)
    if n < 2:
        return 0.0
    mt = sum(t for t, _ in points) / n
    mv = sum(v for _, v in points) / n
    den = sum((t - mt) ** 2 for t, _ in points)
    return 0.0 if den == 0 else sum((t - mt) * (v - mv) for t, v in points) / den * 60

def near(points, at):
    return min(points, key=lambda p: abs(p[0] - at))

rows = []
order = {"parent": 0, "worker": 1, "mock": 2}
for (role, pid), pts in sorted(samples.items(), key=lambda kv: (order[kv[0][0]], kv[0][1])):
    # from the start to the end of sending: after it the parent reads the send records back
    steady = [p for p in pts if start_at <= p[0] <= secs] or pts
    first, last = steady[0], steady[-1]
    mid = near(steady, (first[0] + last[0]) / 2)
    g = slope(steady)
    g2 = slope([p for p in steady if p[0] >= mid[0]])
    rows.append((role, pid, first, mid, last, g, g2))

print("  %-8s %8s | %10s %10s %10s | %14s %12s" % ("process", "pid", "start KiB", "middle KiB",
                                                     "end KiB", "growth KiB/min", "2nd half"))
for role, pid, first, mid, last, g, g2 in rows:
    print("  %-8s %8d | %10d %10d %10d | %14.1f %12.1f   (at %.0f, %.0f, %.0f s)" % (
        role, pid, first[1], mid[1], last[1], g, g2, first[0], mid[0], last[0]))
# the shape: each process's RSS over the run, at most 16 samples, as KiB above its start
print("  RSS above the start, KiB (a step, a slope or noise):")
for role, pid, first, mid, last, g, g2 in rows:
    pts = [p for p in samples[(role, pid)] if start_at <= p[0] <= secs] or samples[(role, pid)]
    pick = [pts[round(k * (len(pts) - 1) / 15)] for k in range(16)] if len(pts) > 16 else pts
    print("  %-8s %8d   %s" % (role, pid, " ".join("%d" % (v - first[1]) for _, v in pick)))

record = None  # the parent's per-second latency record (run.c: each second's histogram, for
try:           # the JSON's intervals): 36 bytes and 12 per bucket, as sl_hist_encode keeps it
    r = json.load(open(run_file))
    s = r["summary"]
    print("  run: scheduled %d, sent %d, ok %d, not sent %d (exit %s)" % (
        s["scheduled"], s["sent"], s["ok"], s["not_sent"], status))
    per_second = [36 + 12 * len(i["latency"].get("histogram", {}).get("counts", []))
                  for i in r["intervals"]]
    if per_second:
        record = sum(per_second) / len(per_second) / 1024 * 60  # KiB per minute
        print("  parent's per-second latency record (each second's histogram for the JSON's "
              "intervals, kept in a file until it is written): %.1f KiB a second on average, "
              "%.0f KiB in all" % (
                  record / 60, sum(per_second) / 1024))
except Exception as e:
    print("  run: no result (%s; exit %s)" % (e, status))

mock = [row for row in rows if row[0] == "mock"]
if ids:
    steady_ids = [i for i in ids if start_at <= i[0] <= secs] or ids
    a, b = steady_ids[0], steady_ids[-1]
    per_id = b[1] / b[2] if b[2] > 0 else 0
    print("  mock ID set: %d distinct IDs in %.1f MiB at the end (%.1f bytes per ID); bound %.0f MiB, "
          "%d IDs" % (b[2], b[1] / 2**20, per_id, b[3] / 2**20, b[4]))
    if mock:
        _, _, first, _, last, _, _ = mock[0]
        grew = last[1] - first[1]
        set_grew = (b[1] - a[1]) / 1024
        print("  mock RSS grew %d KiB from the start on, its ID set %d KiB of it: the rest %d KiB" % (
            grew, set_grew, grew - set_grew))

# The verdict reads the second half: early on a process's histograms (about 140 KB each) still
# have pages that a latency seen for the first time touches, a growth with a bound.
workers = [row for row in rows if row[0] == "worker"]
parent = [row for row in rows if row[0] == "parent"]
verdict = []
if workers:
    w = max(workers, key=lambda row: row[6])
    verdict.append("workers %s (the most in the second half: %+.1f KiB/min, pid %d)" % (
        "flat" if w[6] <= flat else "GROW", w[6], w[1]))
if parent:
    # a build that keeps each second's histogram in memory grows by it (record): said so
    g = parent[0][6]
    kept = record is not None and g / 2 <= record <= g * 2 and g - record <= flat
    verdict.append("parent %s (%+.1f KiB/min in the second half%s)" % (
        "flat" if g <= flat else "flat but for its per-second record" if kept else "GROWS", g,
        ", its per-second record %.1f of it" % record if kept else ""))
print("verdict: %s; limit %.0f KiB/min" % ("; ".join(verdict) or "no soapload process sampled", flat))
PY
