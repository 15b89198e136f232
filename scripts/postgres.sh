#!/usr/bin/env bash
# Make sure a PostgreSQL server answers on 127.0.0.1:5432 with the role and database `nemuro`
# (password `nemuro`, superuser so that tests and benchmarks can create their databases):
# installs Debian's postgresql when missing, starts the newest cluster when none answers.
# Used by .ci/run and by `make bench` / `make loadtest` (unless BENCH_DATABASE_URL is set).
set -euo pipefail

if ! command -v pg_ctlcluster >/dev/null 2>&1; then
  echo "== apt-get install postgresql"
  DEBIAN_FRONTEND=noninteractive apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
fi

if ! pg_isready -h 127.0.0.1 -p 5432 -q; then
  version=$(ls /etc/postgresql | sort -V | tail -n 1)
  echo "== starting PostgreSQL $version"
  pg_ctlcluster --skip-systemctl-redirect "$version" main start
  for _ in $(seq 1 30); do pg_isready -h 127.0.0.1 -p 5432 -q && break; sleep 1; done
fi
pg_isready -h 127.0.0.1 -p 5432 >/dev/null

# A role with a password works whether the server trusts local TCP (this machine) or asks for a
# password (a fresh Debian install).
psql_admin() { su postgres -c "psql -v ON_ERROR_STOP=1 -qtAc \"$1\"" 2>/dev/null || psql -h 127.0.0.1 -U postgres -v ON_ERROR_STOP=1 -qtAc "$1"; }
if [ "$(psql_admin "SELECT 1 FROM pg_roles WHERE rolname='nemuro'")" != "1" ]; then
  psql_admin "CREATE ROLE nemuro LOGIN SUPERUSER PASSWORD 'nemuro'"
fi
if [ "$(psql_admin "SELECT 1 FROM pg_database WHERE datname='nemuro'")" != "1" ]; then
  psql_admin "CREATE DATABASE nemuro OWNER nemuro"
fi
