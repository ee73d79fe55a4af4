#!/usr/bin/env bash
# Makes sure the two database servers the test suite needs are up on 127.0.0.1:
#   PostgreSQL on 5432 (trust authentication for local TCP connections, user postgres)
#   MariaDB on 3306 (root with an empty password)
# It installs them from Debian/Ubuntu packages when they are missing (needs root or sudo), starts
# them when they are stopped, and does nothing when both already answer.
set -euo pipefail

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

postgres_up() { pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; }
# `mariadb-admin ping` succeeds even when the login is refused, so both checks log in and run a query.
mariadb_alive() { mariadb-admin --protocol=tcp -h 127.0.0.1 -P 3306 -uroot ping >/dev/null 2>&1; }
mariadb_up() { mariadb --protocol=tcp -h 127.0.0.1 -P 3306 -uroot -e 'SELECT 1' >/dev/null 2>&1; }

wait_for() {
  local name=$1 check=$2
  for _ in $(seq 1 30); do
    if $check; then return 0; fi
    sleep 1
  done
  echo "ensure-databases: $name did not start on 127.0.0.1" >&2
  return 1
}

if ! postgres_up; then
  if ! command -v pg_ctlcluster >/dev/null 2>&1; then
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
  fi
  version=$(ls /etc/postgresql | sort -V | tail -n 1)
  hba=/etc/postgresql/$version/main/pg_hba.conf
  # Tests connect over TCP as postgres without a password.
  if ! as_root grep -qE '^host\s+all\s+all\s+127\.0\.0\.1/32\s+trust' "$hba"; then
    as_root sed -i '1i host all all 127.0.0.1/32 trust\nhost all all ::1/128 trust' "$hba"
  fi
  as_root pg_ctlcluster --skip-systemctl-redirect "$version" main start || as_root pg_ctlcluster --skip-systemctl-redirect "$version" main reload
  wait_for PostgreSQL postgres_up
fi

if ! mariadb_up; then
  if ! command -v mariadbd >/dev/null 2>&1 && [ ! -x /usr/sbin/mariadbd ]; then
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq mariadb-server >/dev/null
  fi
  as_root mkdir -p /run/mysqld && as_root chown mysql:mysql /run/mysqld 2>/dev/null || true
  if ! mariadb_alive; then
    as_root start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd -- --user=mysql
    wait_for MariaDB mariadb_alive
  fi
  # A fresh Debian install lets root in through the socket only: allow TCP root without a password.
  if ! mariadb_up; then
    as_root mariadb --protocol=socket -uroot -e "ALTER USER 'root'@'localhost' IDENTIFIED VIA mysql_native_password USING PASSWORD(''); FLUSH PRIVILEGES;"
    wait_for MariaDB mariadb_up
  fi
fi

echo "ensure-databases: PostgreSQL and MariaDB are up on 127.0.0.1"
