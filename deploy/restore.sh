#!/usr/bin/env bash
# Restore a backup made by backup.sh, with the backups' private key (age identity), which is
# brought to the server for this only. Stop the bot first; start it afterwards.
#
#   restore.sh /mnt/backup/companera/companera-2026-11-24T031500Z.pgdump.age /dev/shm/backup.key
#
# Where it restores to, as backup.sh reads it: COMPANERA_BACKUP_COMPOSE_DIR (Docker Compose:
# pg_restore in the postgres container), else DATABASE_URL (postgresql://..., or
# sqlite:///file), else $COMPANERA_DATA_DIR/companera.db (default /var/lib/companera).
# PostgreSQL: the backup replaces what the database holds, in one transaction. SQLite: the
# file is replaced (the bot's user keeps owning it).
# Needs: age; pg_restore (postgresql-client) or sqlite3; docker for Compose.
set -euo pipefail
umask 077

fail() { echo "companera-restore: $*" >&2; exit 1; }

[ $# -eq 2 ] || fail "usage: restore.sh BACKUP.age PRIVATE-KEY-FILE"
backup=$1
identity=$2
[ -r "$backup" ] || fail "cannot read $backup"
[ -r "$identity" ] || fail "cannot read the private key file $identity"
command -v age >/dev/null || fail "age is not installed (Debian package: age)"
decrypt() { age --decrypt -i "$identity" "$backup"; }

url=${DATABASE_URL:-}
url=${url/+asyncpg:/:}
url=${url/+aiosqlite:/:}
case "$backup" in
  *.pgdump.age)
    options=(--clean --if-exists --no-owner --single-transaction --exit-on-error)
    if [ -n "${COMPANERA_BACKUP_COMPOSE_DIR:-}" ]; then
      decrypt | docker compose -f "$COMPANERA_BACKUP_COMPOSE_DIR/compose.yaml" \
        exec -T postgres pg_restore -U companera -d companera "${options[@]}"
    elif [[ "$url" == postgres://* || "$url" == postgresql://* ]]; then
      command -v pg_restore >/dev/null || fail "pg_restore is not installed (postgresql-client)"
      decrypt | pg_restore -d "$url" "${options[@]}"
    else
      fail "a PostgreSQL backup: set DATABASE_URL=postgresql://... or COMPANERA_BACKUP_COMPOSE_DIR"
    fi
    ;;
  *.sql.age)
    if [[ "$url" == sqlite:///* ]]; then
      file=${url#sqlite:///}
      [[ "$url" == sqlite:////* ]] || file=./$file
    elif [ -n "$url" ]; then
      fail "a SQLite backup, but DATABASE_URL is not sqlite:///"
    else
      file=${COMPANERA_DATA_DIR:-/var/lib/companera}/companera.db
    fi
    command -v sqlite3 >/dev/null || fail "sqlite3 is not installed (Debian package: sqlite3)"
    folder=$(dirname "$file")
    [ -d "$folder" ] || fail "no folder $folder"
    fresh="$file.restoring"
    rm -f "$fresh"
    trap 'rm -f "$fresh"' EXIT
    decrypt | sqlite3 -bail "$fresh"
    chown --reference="$folder" "$fresh"
    rm -f "$file-wal" "$file-shm"
    mv "$fresh" "$file"
    trap - EXIT
    ;;
  *) fail "$backup: not a backup of backup.sh (.pgdump.age or .sql.age)" ;;
esac
echo "companera-restore: restored $backup"
echo "companera-restore: next, with the bot's settings: companera purge, then start the bot"
