#!/usr/bin/env bash
# Makes sure a local PostgreSQL cluster is running and the current user may create
# databases over the local socket; prints the admin connection string tests use.
set -euo pipefail
# Only the final line may reach stdout (callers capture it): pg_ctlcluster, su and psql
# print notes such as "Removed stale pid file." there.
exec 3>&1 1>&2

as_postgres() {
  if [ "$(id -u)" -eq 0 ]; then su postgres -c "$*"; else sudo -u postgres sh -c "$*"; fi
}

cluster="$(pg_lsclusters --no-header 2>/dev/null | head -n 1)"
if [ -z "$cluster" ]; then
  echo "postgres: no cluster found; is the postgresql package installed?" >&2
  exit 1
fi
version="$(echo "$cluster" | awk '{print $1}')"
name="$(echo "$cluster" | awk '{print $2}')"
if ! echo "$cluster" | grep -q online; then
  echo "postgres: starting cluster $version/$name" >&2
  if [ "$(id -u)" -eq 0 ]; then
    pg_ctlcluster --skip-systemctl-redirect "$version" "$name" start 3>&-
  else
    sudo pg_ctlcluster --skip-systemctl-redirect "$version" "$name" start 3>&-
  fi
fi
for _ in $(seq 1 50); do
  pg_isready -q -h /var/run/postgresql && break
  sleep 0.2
done
pg_isready -q -h /var/run/postgresql || { echo "postgres: not accepting connections" >&2; exit 1; }

user="$(id -un)"
if [ "$(as_postgres "psql -tAc \"SELECT 1 FROM pg_roles WHERE rolname = '$user'\"")" != "1" ]; then
  as_postgres "createuser -s '$user'"
fi
# Test databases of runs that died before dropping theirs: only those made over two hours
# ago (a database's PG_VERSION file is written when it is created), so a run going on
# beside this one (another checkout's tests, a benchmark) keeps its database.
stale="SELECT datname FROM pg_database WHERE datname LIKE 'recon\_test\_%'
  AND (pg_stat_file('base/' || oid || '/PG_VERSION')).modification < now() - interval '2 hours'"
for db in $(psql -h /var/run/postgresql -d postgres -tAc "$stale"); do
  psql -h /var/run/postgresql -d postgres -qc "DROP DATABASE IF EXISTS \"$db\" WITH (FORCE)" >/dev/null
done
echo "host=/var/run/postgresql user=$user dbname=postgres" >&3
