#!/usr/bin/env bash
# Throughput and latency of the Twilio webhooks against the database's own ceiling.
#
#   bench/run.sh                 # from a fresh clone; installs wrk and PostgreSQL if missing
#   DURATION=30 WARMUP=30 CONNECTIONS="8 32" ENDPOINTS="inbound message-status" FLOOR=1 bench/run.sh
#   BENCH_JAVA=/usr/lib/jvm/temurin-25-jdk-amd64/bin/java bench/run.sh   # another Java runtime
#   SPOOL=0 bench/run.sh         # skip the database-down phase
#   PURGE=1 bench/run.sh         # add a phase with the retention purge deleting a backlog of old rows
#   JFR=1 bench/run.sh           # a flight recording of each measured run, service and floor
#   BENCH_JAVA_OPTS=-XX:NativeMemoryTracking=summary bench/run.sh   # more JVM options for the service
#   ROUNDS=3 bench/run.sh        # the service and the floor measured in turns, three times each
#
# Builds the jar, starts PostgreSQL (the machine's, else Debian's package) and the service,
# seeds 100k contacts, then for each webhook and concurrency: drives the service with wrk
# replaying unique, correctly signed requests; drives the floor (bench/floor/Floor.java: Vert.x
# and plain JDBC running the same SQL, nothing else; FLOOR=0 skips it) the same way; and runs
# pgbench with the SQL statements the route runs per webhook (bench/sql/) at the same
# concurrency. Prints throughput, p50/p99, the ratios service/ceiling and floor/ceiling, CPU per
# request and the service's peak RSS. Then, unless SPOOL=0, for each webhook and concurrency with
# the database stopped: the same requests answered from the intake spool (R2 played by s3proxy from
# its release jar, as in the tests), their rate as a ratio of the normal one just measured, and,
# with the database started again, how long the spool takes to drain and whether every delivery
# was stored once. Add the printed rows to bench/RESULTS.md. With JFR=1, each measured run of the
# service and the floor is recorded (JFR's profile settings, started with jcmd as the run starts)
# to $BENCH_WORK/<webhook>-<conns>-<service|floor>.jfr; its CPU figures then include the recorder's.
# With PURGE=1 the service's retention pass runs every second (empty-handed until there is a
# backlog), and after each normal run PURGE_ROWS message status events 100 days old are written and
# the same requests measured again while the purge deletes them: their rate as a ratio of the normal
# one just measured, and the rows purged meanwhile.
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION=${DURATION:-30}
WARMUP=${WARMUP:-30}
CONNECTIONS=${CONNECTIONS:-"8 32"}
ENDPOINTS=${ENDPOINTS:-"inbound message-status"}
FLOOR=${FLOOR:-1}
SPOOL=${SPOOL:-1}
SPOOL_DURATION=${SPOOL_DURATION:-10}
PURGE=${PURGE:-0}
# Measured runs of the service and the floor, taking turns after one warm-up each: each round's
# service/floor compares two runs a minute apart, so what else loads the machine weighs on both.
ROUNDS=${ROUNDS:-1}
# Old rows for the purge phase: more than a measured run's purge deletes (about 5,000 a second).
PURGE_ROWS=${PURGE_ROWS:-500000}
JFR=${JFR:-0}
JAVA=${BENCH_JAVA:-java}
WORK=${BENCH_WORK:-/tmp/webhook-bench}
PG_PORT=${BENCH_PG_PORT:-55440}
APP_PORT=${BENCH_APP_PORT:-18080}
MGMT_PORT=${BENCH_MGMT_PORT:-18081}
FLOOR_PORT=${BENCH_FLOOR_PORT:-18082}
S3_PORT=${BENCH_S3_PORT:-18083}
TOKEN=bench-twilio-token
BASE_URL="http://127.0.0.1:${APP_PORT}"
FLOOR_URL="http://127.0.0.1:${FLOOR_PORT}"
THREADS=2
# Requests signed per second of each phase: more than the service answers here.
RATE=${BENCH_RATE:-10000}
# Seeded outbound messages the status callbacks to the service and the floor are for (bench/sql/seed.sql):
# three statuses each, every callback new.
STATUS_MESSAGES=1000000

log() { printf '\n== %s\n' "$*" >&2; }

need_packages=()
command -v wrk >/dev/null || need_packages+=(wrk)
PG_BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
[ -n "$PG_BIN" ] && [ -x "$PG_BIN/pgbench" ] || need_packages+=(postgresql)
command -v python3 >/dev/null || need_packages+=(python3)
if [ ${#need_packages[@]} -gt 0 ]; then
  log "installing ${need_packages[*]}"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_packages[@]}" >/dev/null
  PG_BIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
fi
# PostgreSQL refuses to run as root: run it in a user namespace where it is not.
as_pg() { if [ "$(id -u)" = 0 ]; then unshare -U "$@"; else "$@"; fi; }

rm -rf "$WORK" && mkdir -p "$WORK"
cleanup() {
  [ -n "${APP_PID:-}" ] && kill "$APP_PID" 2>/dev/null || true
  [ -n "${FLOOR_PID:-}" ] && kill "$FLOOR_PID" 2>/dev/null || true
  [ -n "${S3_PID:-}" ] && kill "$S3_PID" 2>/dev/null || true
  as_pg "$PG_BIN/pg_ctl" -D "$WORK/pg" -m immediate -w stop >/dev/null 2>&1 || true
}
trap cleanup EXIT

log "building the jar"
# clean: a resource deleted from the tree would stay in target/classes, and in the jar measured.
./mvnw -B -q -DskipTests clean package >/dev/null
JAR=$(ls target/webhook-service-*.jar | grep -v original | head -n 1)
# The floor runs on the service's own libraries (Vert.x, HikariCP, the driver, Jackson).
./mvnw -B -q dependency:build-classpath -Dmdep.outputFile="$WORK/classpath.txt" >/dev/null

log "starting PostgreSQL $("$PG_BIN/postgres" --version | awk '{print $3}') on port $PG_PORT"
as_pg "$PG_BIN/initdb" -D "$WORK/pg" -A trust -U postgres >/dev/null
as_pg "$PG_BIN/pg_ctl" -D "$WORK/pg" -o "-p $PG_PORT -k $WORK -c max_connections=200" -l "$WORK/pg.log" -w start >/dev/null
PSQL=(psql -h 127.0.0.1 -p "$PG_PORT" -U postgres -v ON_ERROR_STOP=1 -q)
"${PSQL[@]}" -c "create database bench" >/dev/null

R2_ENDPOINT=http://127.0.0.1:9
if [ "$SPOOL" = 1 ]; then
  # R2, for the intake spool: s3proxy's release jar (the build copies it to target/s3proxy/), objects as files.
  S3_JAR=$(ls target/s3proxy/s3proxy-*-jar-with-dependencies.jar | head -n 1)
  mkdir -p "$WORK/r2/bench"
  printf '%s\n' "s3proxy.endpoint=http://127.0.0.1:$S3_PORT" s3proxy.authorization=aws-v2-or-v4 \
    s3proxy.identity=bench s3proxy.credential=bench-secret jclouds.provider=filesystem \
    "jclouds.filesystem.basedir=$WORK/r2" > "$WORK/s3proxy.conf"
  log "starting s3proxy on port $S3_PORT"
  "$JAVA" -jar "$S3_JAR" --properties "$WORK/s3proxy.conf" > "$WORK/s3proxy.log" 2>&1 &
  S3_PID=$!
  for _ in $(seq 1 60); do curl -s -o /dev/null "http://127.0.0.1:$S3_PORT/" && break; sleep 1; done
  R2_ENDPOINT=http://127.0.0.1:$S3_PORT
fi

# The service runs as production does (README, "Running in production"): its JVM options in
# JAVA_TOOL_OPTIONS; BENCH_JAVA_OPTS adds to them.
SERVICE_JAVA_TOOL_OPTIONS="-Xms64m -Xmx256m"
# PURGE=1: a retention pass every second from the start, so the purge meets its backlog at once.
SERVICE_ENV=()
[ "$PURGE" = 1 ] && SERVICE_ENV=(RETENTION_INTERVAL=1s RETENTION_FIRST_RUN_DELAY=0s)
log "starting the service on port $APP_PORT"
SPRING_DATASOURCE_URL="jdbc:postgresql://127.0.0.1:${PG_PORT}/bench" SPRING_DATASOURCE_USERNAME=postgres \
PUBLIC_PORT=$APP_PORT MANAGEMENT_SERVER_PORT=$MGMT_PORT PUBLIC_BASE_URL="$BASE_URL" TWILIO_AUTH_TOKEN=$TOKEN \
DEFAULT_PHONE_REGION=AU R2_ENDPOINT=$R2_ENDPOINT R2_BUCKET=bench R2_ACCESS_KEY_ID=bench R2_SECRET_ACCESS_KEY=bench-secret \
INTAKE_SPOOL_DIR="$WORK/intake" JAVA_TOOL_OPTIONS="$SERVICE_JAVA_TOOL_OPTIONS" \
  env "${SERVICE_ENV[@]}" "$JAVA" ${BENCH_JAVA_OPTS:-} -jar "$JAR" > "$WORK/service.log" 2>&1 &
APP_PID=$!
for _ in $(seq 1 120); do curl -sf "$BASE_URL/actuator/health" >/dev/null && break; sleep 1; done
curl -sf "$BASE_URL/actuator/health" >/dev/null || { tail -50 "$WORK/service.log"; exit 1; }

log "seeding 100k contacts and 2M outbound messages"
"${PSQL[@]}" -d bench -f bench/sql/seed.sql >/dev/null

if [ "$FLOOR" = 1 ]; then
  log "starting the floor on port $FLOOR_PORT"
  SPRING_DATASOURCE_URL="jdbc:postgresql://127.0.0.1:${PG_PORT}/bench" SPRING_DATASOURCE_USERNAME=postgres PUBLIC_PORT=$FLOOR_PORT \
    "$JAVA" -cp "$(cat "$WORK/classpath.txt")" bench/floor/Floor.java > "$WORK/floor.log" 2>&1 &
  FLOOR_PID=$!
  for _ in $(seq 1 60); do curl -sf "$FLOOR_URL/" >/dev/null && break; sleep 1; done
  curl -sf "$FLOOR_URL/" >/dev/null || { tail -50 "$WORK/floor.log"; exit 1; }
fi

# CPU seconds a JVM has used so far
jvm_cpu() { awk -v hz="$(getconf CLK_TCK)" '{print ($14 + $15) / hz}' "/proc/$1/stat"; }

# JFR=1: record a JVM's measured run
JCMD="$(dirname "$(readlink -f "$(command -v "$JAVA")")")/jcmd"
jfr_start() { [ "$JFR" = 1 ] || return 0; "$JCMD" "$1" JFR.start name=bench settings=profile >/dev/null; }
jfr_stop() { [ "$JFR" = 1 ] || return 0; "$JCMD" "$1" JFR.stop name=bench filename="$2" >/dev/null; }

# wrk: requests/s, p50 and p99 (ms), the JVM's CPU milliseconds per request, and the requests, of one run
run_wrk() { # pid url connections seconds prefix
  local cpu0; cpu0=$(jvm_cpu "$1")
  wrk -t "$THREADS" -c "$3" -d "${4}s" --latency -s bench/replay.lua "$2" -- "$5" > "$WORK/wrk.out"
  local cpu1; cpu1=$(jvm_cpu "$1")
  if grep -q "Non-2xx" "$WORK/wrk.out"; then
    echo "$2 answered non-2xx:" >&2; cat "$WORK/wrk.out" >&2; tail -20 "$WORK/service.log" "$WORK/floor.log" >&2; exit 1
  fi
  awk -v cpu="$(awk -v a="$cpu0" -v b="$cpu1" 'BEGIN {print b - a}')" '/Requests\/sec/ {rps=$2}
       /requests in/ {n=$1}
       /^ +50%/ {p50=$2} /^ +99%/ {p99=$2}
       function ms(v) { if (v ~ /us$/) return v/1000; if (v ~ /ms$/) return v+0; if (v ~ /s$/) return v*1000; return v }
       END {printf "%.0f %.2f %.2f %.3f %d\n", rps, ms(p50), ms(p99), cpu * 1000 / n, n}' "$WORK/wrk.out"
}
# pgbench: transactions/s, p50 and p99 (ms) from its per-transaction log
run_pgbench() { # connections seconds script
  rm -f "$WORK"/pgbench_log.*
  (cd "$WORK" && "$PG_BIN/pgbench" -h 127.0.0.1 -p "$PG_PORT" -U postgres -n -M prepared -c "$1" -j "$THREADS" \
      -T "$2" -l -f "$OLDPWD/$3" bench > "$WORK/pgbench.out" 2>&1) || { cat "$WORK/pgbench.out" >&2; exit 1; }
  local tps; tps=$(awk '/^tps/ {print $3; exit}' "$WORK/pgbench.out")
  cat "$WORK"/pgbench_log.* | awk '{print $3/1000}' | sort -n | awk -v tps="$tps" \
    '{a[NR]=$1} END {printf "%.0f %.2f %.2f\n", tps, a[int(NR*0.5)], a[int(NR*0.99)]}'
}

# Rows the webhook stores: after a measured run, the new ones must number its requests (every
# request new to the service, none answered as a repeat).
stored_rows() { # endpoint
  local table=messages; [ "$1" = message-status ] && table=message_status_events
  "${PSQL[@]}" -d bench -At -c "select count(*) from $table"
}

# Fresh requests for each phase, at up to RATE/s (past that, wrk starts its file over: repeats).
# The warm-up's and the measurement's are distinct, and the floor's are not the service's: every
# measured request is new to whoever answers it.
sign_requests() { # endpoint connections port target [phases]
  local phase seconds count
  for phase in ${5:-warm run}; do
    seconds=$DURATION; [ "$phase" = warm ] && seconds=$WARMUP
    count=$(( seconds * RATE ))
    [ "$count" -gt 0 ] || continue
    if [ "$1" = message-status ] && [ $((next + count)) -gt $((3 * STATUS_MESSAGES)) ]; then
      echo "more status callbacks than the seeded messages have new statuses for: shorten DURATION/WARMUP or lower BENCH_RATE" >&2
      exit 1
    fi
    log "$1, $2 connections: signing $count unique requests for the $4's $phase phase"
    python3 bench/make_requests.py --kind "$1" --count "$count" --start "$next" --threads "$THREADS" \
      --messages "$STATUS_MESSAGES" --token "$TOKEN" --public-base-url "$BASE_URL" --host "127.0.0.1:$3" \
      --out "$WORK/req-$4-$phase"
    next=$((next + count))
  done
}

warm_up() { # pid url connections target
  [ "$WARMUP" -gt 0 ] || return 0
  run_wrk "$1" "$2" "$3" "$WARMUP" "$WORK/req-$4-warm" >/dev/null
}

# Deliveries waiting in the intake spool: R2's objects (s3proxy keeps each as a file) and the directory's.
spooled() { find "$WORK/r2/bench" "$WORK/intake" -type f -name '*.json' 2>/dev/null | wc -l; }

# With the database stopped: the service answers from the spool; started again: the drain.
run_spooled() { # endpoint connections normal-rps
  local rows_before; rows_before=$(stored_rows "$1")
  local saved=$WARMUP; WARMUP=0; local saved_duration=$DURATION; DURATION=$SPOOL_DURATION
  sign_requests "$1" "$2" "$APP_PORT" service
  WARMUP=$saved; DURATION=$saved_duration
  log "$1, $2 connections: the database stopped, ${SPOOL_DURATION}s measured"
  as_pg "$PG_BIN/pg_ctl" -D "$WORK/pg" -m fast -w stop >/dev/null
  local rps p50 p99 cpu_ms requests
  read -r rps p50 p99 cpu_ms requests < <(run_wrk "$APP_PID" "$BASE_URL" "$2" "$SPOOL_DURATION" "$WORK/req-service-run")
  rm -f "$WORK"/req-service-*.txt
  local waiting; waiting=$(spooled)
  log "$1, $2 connections: $waiting deliveries spooled; starting the database, draining"
  local start; start=$(date +%s.%N)
  as_pg "$PG_BIN/pg_ctl" -D "$WORK/pg" -o "-p $PG_PORT -k $WORK -c max_connections=200" -l "$WORK/pg.log" -w start >/dev/null
  for _ in $(seq 1 1800); do [ "$(spooled)" = 0 ] && break; sleep 0.5; done
  local drain; drain=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN {printf "%.1f", b - a}')
  local stored=$(( $(stored_rows "$1") - rows_before ))
  SPOOL_RESULTS+=("| $1 | $2 | $rps | $p50 | $p99 | $(awk -v a="$rps" -v b="$3" 'BEGIN {printf "%.2f", a/b}') | $cpu_ms | $waiting | $(awk -v a="$waiting" -v b="$requests" 'BEGIN {printf "%.2f", a/b}') | $drain | $(awk -v a="$waiting" -v b="$drain" 'BEGIN {printf "%.0f", a/b}') | $(awk -v a="$stored" -v b="$requests" 'BEGIN {printf "%.2f", a/b}') |")
}

# Status events past their retention (90 days), written with triggers off (none of them is for a
# message, so the trigger would change nothing): the backlog of a deployment that kept everything.
# Analysed at once, as a table that grew over months is: plans made while it was nearly empty (the
# messages trigger's lookup of early callbacks, say) would scan it whole.
old_status_events() { "${PSQL[@]}" -d bench -At -c "select count(*) from message_status_events where twilio_sid like 'SMpurge%'"; }

# The webhook's rows, less the backlog the purge deletes meanwhile.
new_rows() { # endpoint
  local table=messages; [ "$1" = message-status ] && table=message_status_events
  "${PSQL[@]}" -d bench -At -c "select count(*) from $table where twilio_sid not like 'SMpurge%'"
}

# The same requests again while the retention purge deletes PURGE_ROWS old rows.
run_purging() { # endpoint connections normal-rps
  log "$1, $2 connections: writing $PURGE_ROWS status events 100 days old"
  "${PSQL[@]}" -d bench -c "set session_replication_role = replica;
    insert into message_status_events (twilio_sid, status, received_at)
    select 'SMpurge' || n, 'delivered', now() - interval '100 days' from generate_series(1, $PURGE_ROWS) n" >/dev/null
  "${PSQL[@]}" -d bench -c "analyze message_status_events" >/dev/null
  local saved=$WARMUP; WARMUP=0
  sign_requests "$1" "$2" "$APP_PORT" service
  WARMUP=$saved
  local rows_before; rows_before=$(new_rows "$1")
  local old_before; old_before=$(old_status_events)
  log "$1, $2 connections: ${DURATION}s measured while the purge runs ($old_before old rows)"
  local rps p50 p99 cpu_ms requests
  read -r rps p50 p99 cpu_ms requests < <(run_wrk "$APP_PID" "$BASE_URL" "$2" "$DURATION" "$WORK/req-service-run")
  rm -f "$WORK"/req-service-*.txt
  local old_after; old_after=$(old_status_events)
  local stored=$(( $(new_rows "$1") - rows_before ))
  PURGE_RESULTS+=("| $1 | $2 | $rps | $p50 | $p99 | $(awk -v a="$rps" -v b="$3" 'BEGIN {printf "%.2f", a/b}') | $cpu_ms | $((old_before - old_after)) | $(awk -v a="$old_before" -v b="$old_after" -v s="$DURATION" 'BEGIN {printf "%.0f", (a-b)/s}') | $old_after | $(awk -v a="$stored" -v b="$requests" 'BEGIN {printf "%.2f", a/b}') |")
  "${PSQL[@]}" -d bench -c "delete from message_status_events where twilio_sid like 'SMpurge%'" >/dev/null
}

RESULTS=()
SPOOL_RESULTS=()
PURGE_RESULTS=()
for endpoint in $ENDPOINTS; do
  next=0
  for c in $CONNECTIONS; do
    sign_requests "$endpoint" "$c" "$APP_PORT" service warm
    log "$endpoint, $c connections: the service, warm-up ${WARMUP}s"
    warm_up "$APP_PID" "$BASE_URL" "$c" service
    if [ "$FLOOR" = 1 ]; then
      sign_requests "$endpoint" "$c" "$FLOOR_PORT" floor warm
      log "$endpoint, $c connections: the floor, warm-up ${WARMUP}s"
      warm_up "$FLOOR_PID" "$FLOOR_URL" "$c" floor
    fi
    ROUND_ROWS=()
    for round in $(seq 1 "$ROUNDS"); do
      recording=$endpoint-$c; [ "$ROUNDS" = 1 ] || recording=$recording-$round
      sign_requests "$endpoint" "$c" "$APP_PORT" service run
      log "$endpoint, $c connections, round $round of $ROUNDS: the service, ${DURATION}s measured"
      rows_before=$(stored_rows "$endpoint")
      jfr_start "$APP_PID"
      read -r rps p50 p99 cpu_ms requests < <(run_wrk "$APP_PID" "$BASE_URL" "$c" "$DURATION" "$WORK/req-service-run")
      jfr_stop "$APP_PID" "$WORK/$recording-service.jfr"
      stored=$(( $(stored_rows "$endpoint") - rows_before ))
      rm -f "$WORK"/req-service-*.txt
      floor_rps=- floor_p50=- floor_p99=- floor_cpu_ms=-
      if [ "$FLOOR" = 1 ]; then
        sign_requests "$endpoint" "$c" "$FLOOR_PORT" floor run
        log "$endpoint, $c connections, round $round of $ROUNDS: the floor, ${DURATION}s measured"
        jfr_start "$FLOOR_PID"
        read -r floor_rps floor_p50 floor_p99 floor_cpu_ms _ < <(run_wrk "$FLOOR_PID" "$FLOOR_URL" "$c" "$DURATION" "$WORK/req-floor-run")
        jfr_stop "$FLOOR_PID" "$WORK/$recording-floor.jfr"
        rm -f "$WORK"/req-floor-*.txt
      fi
      ROUND_ROWS+=("$round $rps $p50 $p99 $(awk -v a="$stored" -v b="$requests" 'BEGIN {printf "%.2f", a/b}') $cpu_ms $floor_rps $floor_p50 $floor_p99 $floor_cpu_ms")
    done
    log "$endpoint, $c connections: pgbench ceiling"
    read -r tps pg50 pg99 < <(run_pgbench "$c" "$DURATION" "bench/sql/$endpoint.sql")
    rss=$(awk '/VmHWM/ {printf "%.0f", $2/1024}' "/proc/$APP_PID/status")
    for row in "${ROUND_ROWS[@]}"; do
      read -r round rps p50 p99 new cpu_ms floor_rps floor_p50 floor_p99 floor_cpu_ms <<< "$row"
      ratio=$(awk -v a="$rps" -v b="$tps" 'BEGIN {printf "%.2f", a/b}')
      floor_ratio=- service_floor=-
      if [ "$FLOOR" = 1 ]; then
        floor_ratio=$(awk -v a="$floor_rps" -v b="$tps" 'BEGIN {printf "%.2f", a/b}')
        service_floor=$(awk -v a="$rps" -v b="$floor_rps" 'BEGIN {printf "%.2f", a/b}')
      fi
      RESULTS+=("| $endpoint | $c | $round | $rps | $p50 | $p99 | $new | $tps | $pg50 | $pg99 | $ratio | $cpu_ms | $floor_rps | $floor_p50 | $floor_p99 | $floor_ratio | $floor_cpu_ms | $service_floor | $rss |")
    done
    [ "$PURGE" = 1 ] && run_purging "$endpoint" "$c" "$rps"
    [ "$SPOOL" = 1 ] && run_spooled "$endpoint" "$c" "$rps"
  done
done

echo
echo "$(date -u +%Y-%m-%d) on $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $("$JAVA" -version 2>&1 | head -n 1), PostgreSQL $("$PG_BIN/postgres" --version | awk '{print $3}'); warm-up ${WARMUP}s, ${DURATION}s measured"
echo
echo "| webhook | conns | round | service req/s | p50 ms | p99 ms | stored/requests | ceiling tx/s | ceiling p50 | ceiling p99 | service/ceiling | service CPU ms/req | floor req/s | floor p50 | floor p99 | floor/ceiling | floor CPU ms/req | service/floor | peak RSS MiB |"
echo "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"
printf '%s\n' "${RESULTS[@]}"
if [ "$SPOOL" = 1 ]; then
  echo
  echo "Database stopped, ${SPOOL_DURATION}s measured: answered from the intake spool (R2: s3proxy), then drained with the database started again"
  echo
  echo "| webhook | conns | spooled req/s | p50 ms | p99 ms | spooled/normal req/s | service CPU ms/req | spooled | spooled/requests | drain s | drained/s | stored/requests |"
  echo "|---|---|---|---|---|---|---|---|---|---|---|---|"
  printf '%s\n' "${SPOOL_RESULTS[@]}"
fi
if [ "$PURGE" = 1 ]; then
  echo
  echo "The retention purge deleting a backlog of $PURGE_ROWS old status events, ${DURATION}s measured (batch ${RETENTION_BATCH_SIZE:-500}, pause ${RETENTION_BATCH_PAUSE:-250ms})"
  echo
  echo "| webhook | conns | req/s while purging | p50 ms | p99 ms | purging/normal req/s | service CPU ms/req | rows purged | purged/s | old rows left | stored/requests |"
  echo "|---|---|---|---|---|---|---|---|---|---|---|"
  printf '%s\n' "${PURGE_RESULTS[@]}"
fi
