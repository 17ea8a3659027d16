#!/usr/bin/env bash
# A backup of Compañera's database, encrypted with age to a public key whose private key is
# kept off the server: this server can make backups, and cannot read them.
#
#   COMPANERA_BACKUP_DIR=/mnt/backup/companera \
#   COMPANERA_BACKUP_RECIPIENTS=/etc/companera/backup-recipients.txt  backup.sh
#
# Settings, from the environment (companera-backup.service reads /etc/companera/backup.env):
#   COMPANERA_BACKUP_DIR          where backups go: another disk, or a remote file system,
#                                 never the disk the database is on (required)
#   COMPANERA_BACKUP_RECIPIENTS   a file of age public keys (age1...), one a line (required)
#   COMPANERA_BACKUP_KEEP_DAYS    backups older than this are deleted (default 7)
#   COMPANERA_BACKUP_COMPOSE_DIR  Docker Compose: the folder of compose.yaml; the dump is
#                                 made by pg_dump in the postgres container
#   DATABASE_URL                  otherwise, as the bot reads it: postgresql://... (dumped
#                                 with pg_dump), or sqlite:///file (dumped with sqlite3)
#   COMPANERA_DATA_DIR            without DATABASE_URL: the SQLite file is
#                                 $COMPANERA_DATA_DIR/companera.db (default /var/lib/companera)
#
# Writes <dir>/companera-<UTC time>.pgdump.age (PostgreSQL, pg_dump's custom format) or
# .sql.age (SQLite, its .dump); nothing unencrypted touches a disk. restore.sh reads both.
# Needs: age; pg_dump (postgresql-client) or sqlite3; docker for Compose.
set -euo pipefail
umask 077

fail() { echo "companera-backup: $*" >&2; exit 1; }

dir=${COMPANERA_BACKUP_DIR:-}
recipients=${COMPANERA_BACKUP_RECIPIENTS:-}
keep_days=${COMPANERA_BACKUP_KEEP_DAYS:-7}
[ -n "$dir" ] || fail "COMPANERA_BACKUP_DIR: required (a folder on another disk)"
[ -d "$dir" ] || fail "COMPANERA_BACKUP_DIR: $dir is not a folder"
[ -n "$recipients" ] || fail "COMPANERA_BACKUP_RECIPIENTS: required (a file of age public keys)"
[ -r "$recipients" ] || fail "COMPANERA_BACKUP_RECIPIENTS: cannot read $recipients"
# The private key opens every backup: it must never be on this server.
if grep -q 'AGE-SECRET-KEY' "$recipients"; then
  fail "$recipients holds a private key: keep only the public key (age1...) on the server"
fi
grep -q '^age1' "$recipients" || fail "$recipients: no age public key (age1...) in it"
[[ "$keep_days" =~ ^[1-9][0-9]*$ ]] || fail "COMPANERA_BACKUP_KEEP_DAYS: a number of days"
command -v age >/dev/null || fail "age is not installed (Debian package: age)"

url=${DATABASE_URL:-}
url=${url/+asyncpg:/:}       # the bot accepts SQLAlchemy's spelling; the tools do not
url=${url/+aiosqlite:/:}
if [ -n "${COMPANERA_BACKUP_COMPOSE_DIR:-}" ]; then
  kind=pgdump
  dump() {
    docker compose -f "$COMPANERA_BACKUP_COMPOSE_DIR/compose.yaml" exec -T postgres \
      pg_dump -U companera -Fc companera
  }
elif [[ "$url" == postgres://* || "$url" == postgresql://* ]]; then
  kind=pgdump
  command -v pg_dump >/dev/null || fail "pg_dump is not installed (postgresql-client)"
  dump() { pg_dump -Fc -d "$url"; }
else
  kind=sql
  if [[ "$url" == sqlite:///* ]]; then
    file=${url#sqlite:///}
    [[ "$url" == sqlite:////* ]] || file=./$file
  elif [ -n "$url" ]; then
    fail "DATABASE_URL: neither postgresql:// nor sqlite:///"
  else
    file=${COMPANERA_DATA_DIR:-/var/lib/companera}/companera.db
  fi
  [ -f "$file" ] || fail "no SQLite database at $file"
  command -v sqlite3 >/dev/null || fail "sqlite3 is not installed (Debian package: sqlite3)"
  # .dump reads one consistent snapshot, while the bot runs. -readonly: no change to it.
  dump() { sqlite3 -readonly "$file" .dump; }
fi

name="companera-$(date -u +%Y-%m-%dT%H%M%SZ).$kind.age"
partial="$dir/.$name.partial"
trap 'rm -f "$partial"' EXIT
dump | age --encrypt -R "$recipients" -o "$partial"
mv "$partial" "$dir/$name"
trap - EXIT
echo "companera-backup: wrote $dir/$name"

# Every day a backup is kept, data deleted since (a /forget, expired details) still exists.
find "$dir" -maxdepth 1 -type f -name 'companera-*.age' -mtime "+$((keep_days - 1))" \
  -print -delete | sed 's/^/companera-backup: deleted /'
