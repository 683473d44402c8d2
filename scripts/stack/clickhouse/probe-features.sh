#!/usr/bin/env bash
# Asks the running local ClickHouse which SQL features it accepts, one line per feature:
#   yes|no  <feature>  [server's error]
# The results are written up in docs/stack.md (## ClickHouse); rerun after a ClickHouse upgrade.
# Works in a scratch database `_probe` that it drops at the end.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=SCRIPTDIR/../env.sh
. "$here/env.sh"
url=${CLICKHOUSE_URL:-http://127.0.0.1:$CH_HTTP_PORT}

# sql QUERY [URL_PARAMS] [BODY_AFTER_QUERY]: runs QUERY over HTTP; prints the answer, fails on an HTTP error.
sql() { curl -sS --fail-with-body "$url/?${2:-}" --data-binary "$1${3:+$'\n'$3}"; }
check() {
  local name=$1 out
  if out=$(sql "${@:2}" 2>&1); then printf 'yes  %s\n' "$name"
  else printf 'no   %-52s %s\n' "$name" "$(echo "$out" | grep -o 'DB::Exception: [^,]*' | head -n 1)"; fi
}

echo "server version: $(sql 'SELECT version()')"
sql 'DROP DATABASE IF EXISTS _probe' >/dev/null
sql 'CREATE DATABASE _probe' >/dev/null
trap "sql 'DROP DATABASE IF EXISTS _probe' >/dev/null 2>&1 || true" EXIT

check "ReplacingMergeTree(ver) ORDER BY (new syntax)" \
  "CREATE TABLE _probe.rmt (k String, ts DateTime, v Float64, ver UInt64) ENGINE = ReplacingMergeTree(ver) PARTITION BY toYYYYMM(ts) ORDER BY (k, ts)"
check "ReplacingMergeTree(date, key, 8192, ver) (old syntax)" \
  "CREATE TABLE _probe.rmt_old (d Date, k String, ver UInt64) ENGINE = ReplacingMergeTree(d, (k), 8192, ver)"
check "MergeTree ... SETTINGS index_granularity" \
  "CREATE TABLE _probe.s (k String) ENGINE = MergeTree ORDER BY k SETTINGS index_granularity = 8192"
check "SETTINGS non_replicated_deduplication_window" \
  "CREATE TABLE _probe.nrdw (k String) ENGINE = MergeTree ORDER BY k SETTINGS non_replicated_deduplication_window = 100"
check "insert_deduplication_token setting" "INSERT INTO _probe.rmt VALUES ('a', now(), 1, 1)" "insert_deduplication_token=t1"
check "INSERT ... SETTINGS clause" "INSERT INTO _probe.rmt SETTINGS insert_deduplicate = 1 VALUES ('a', now(), 1, 1)"
check "query parameters {x:UInt8} (param_x=)" "SELECT {x:UInt8}" "param_x=1"
check "DateTime" "CREATE TABLE _probe.dt (t DateTime) ENGINE = Memory"
check "DateTime('UTC')" "CREATE TABLE _probe.dtz (t DateTime('UTC')) ENGINE = Memory"
check "DateTime64(3)" "CREATE TABLE _probe.dt64 (t DateTime64(3)) ENGINE = Memory"
check "Decimal(38, 18)" "CREATE TABLE _probe.dec (a Decimal(38, 18)) ENGINE = Memory"
check "Nullable(Float64)" "CREATE TABLE _probe.n (a Nullable(Float64)) ENGINE = Memory"
check "LowCardinality(String)" "CREATE TABLE _probe.lc (a LowCardinality(String)) ENGINE = Memory"
check "LowCardinality with allow_experimental_low_cardinality_type=1" \
  "CREATE TABLE _probe.lc2 (a LowCardinality(String)) ENGINE = Memory" "allow_experimental_low_cardinality_type=1"
check "UUID, Enum8, Array(String)" "CREATE TABLE _probe.u (id UUID, e Enum8('a' = 1), xs Array(String)) ENGINE = Memory"
check "TTL clause" "CREATE TABLE _probe.ttl (t DateTime) ENGINE = MergeTree ORDER BY t TTL t + INTERVAL 1 DAY"
check "column CODEC(...)" "CREATE TABLE _probe.c (t DateTime CODEC(Delta, LZ4)) ENGINE = MergeTree ORDER BY t"
check "ALTER ... ADD COLUMN IF NOT EXISTS" "ALTER TABLE _probe.rmt ADD COLUMN IF NOT EXISTS z UInt8"
check "ALTER ... DELETE (mutation)" "ALTER TABLE _probe.rmt DELETE WHERE k = 'nothing'"
check "SELECT ... FINAL" "SELECT * FROM _probe.rmt FINAL"
check "OPTIMIZE TABLE ... FINAL" "OPTIMIZE TABLE _probe.rmt FINAL"
check "argMax" "SELECT k, argMax(v, ver) FROM _probe.rmt GROUP BY k"
check "INSERT FORMAT JSONEachRow (DateTime as 'YYYY-MM-DD hh:mm:ss' and as unix seconds)" \
  "INSERT INTO _probe.rmt FORMAT JSONEachRow" "" \
  '{"k":"a","ts":"2024-01-01 00:00:01","v":1.5,"ver":1} {"k":"b","ts":1704067200,"v":2,"ver":2}'
check "JSONEachRow null into Nullable(Float64)" "INSERT INTO _probe.n FORMAT JSONEachRow" "" '{"a":null} {"a":1.5}'
check "JSONEachRow with ISO-8601 DateTime (no setting)" "INSERT INTO _probe.rmt FORMAT JSONEachRow" "" \
  '{"k":"c","ts":"2024-01-01T00:00:01Z","v":1,"ver":1}'
check "JSONEachRow with ISO-8601 DateTime (date_time_input_format=best_effort)" \
  "INSERT INTO _probe.rmt FORMAT JSONEachRow" "date_time_input_format=best_effort" '{"k":"c","ts":"2024-01-01T00:00:01Z","v":1,"ver":1}'
check "JSONEachRow unknown field (input_format_skip_unknown_fields=1)" \
  "INSERT INTO _probe.rmt FORMAT JSONEachRow" "input_format_skip_unknown_fields=1" '{"k":"d","ts":1704067200,"v":1,"ver":1,"extra":1}'
check "FORMAT JSONCompactEachRow" "SELECT 1 FORMAT JSONCompactEachRow"
check "JSONExtractString" "SELECT JSONExtractString('{\"a\":\"b\"}', 'a')"
check "visitParamExtractString" "SELECT visitParamExtractString('{\"a\":\"b\"}', 'a')"
check "toStartOfInterval" "SELECT toStartOfInterval(now(), INTERVAL 5 minute)"
check "parseDateTimeBestEffort" "SELECT parseDateTimeBestEffort('2024-01-01T00:00:00.123Z')"
check "now64()" "SELECT now64()"
