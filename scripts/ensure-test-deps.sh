#!/usr/bin/env bash
# Makes sure what the tests need besides Go is present: a running
# PostgreSQL and Redis on localhost (started when installed but stopped),
# and Chromium for the browser tests (installed with apt-get when missing).
set -euo pipefail

say() { printf 'ensure-test-deps: %s\n' "$*"; }

if ! pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null; then
  if command -v pg_ctlcluster >/dev/null 2>&1 && ls /etc/postgresql >/dev/null 2>&1; then
    say "starting PostgreSQL"
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start
  else
    say "PostgreSQL is not running on 127.0.0.1:5432 and is not installed here; start one (trust auth, user postgres) or set IPM_TEST_POSTGRES_URL"
  fi
fi

if ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
  if command -v redis-server >/dev/null 2>&1; then
    say "starting Redis"
    mkdir -p /var/lib/redis /var/log/redis
    redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
      --dir /var/lib/redis --logfile /var/log/redis/ci.log
  else
    say "Redis is not running on 127.0.0.1:6379 and is not installed here; start one or set IPM_TEST_REDIS_URL"
  fi
fi

if [ -z "${IPM_CHROMIUM:-}" ] && [ ! -x /usr/bin/chromium ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    say "installing Chromium and CJK fonts for the browser tests"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq chromium fonts-noto-cjk >/dev/null
  else
    say "Chromium is missing: run 'sudo apt-get install -y chromium fonts-noto-cjk' or set IPM_CHROMIUM"
    exit 1
  fi
fi

# Wait briefly for services that were just started.
for _ in $(seq 1 30); do
  pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null && redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 && exit 0
  sleep 1
done
say "PostgreSQL or Redis still not answering; the tests will say which"
