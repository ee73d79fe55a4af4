#!/usr/bin/env bash
# Makes sure the two database servers the test suite needs are up on 127.0.0.1:
#   PostgreSQL on 5432 (trust authentication for local TCP connections, user postgres)
#   MariaDB on 3306 (root with an empty password)
# It installs them from Debian/Ubuntu packages when they are missing (needs root or sudo), starts
# them when they are stopped, and does nothing when both already answer.
#
# It also turns TLS on in both servers with a throwaway certificate authority made here (the TLS
# tests verify the chain and the host name against it): the CA and a server certificate for
# localhost / 127.0.0.1 / ::1 live in $ENGINE_TEST_TLS_DIR (default /etc/engine-test-tls), the CA
# at ca.pem. Plain TCP keeps working for every other test. PostgreSQL picks TLS up with a reload;
# MariaDB needs one restart the first time (afterwards a renewed certificate is loaded by FLUSH SSL).
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

TLS_DIR=${ENGINE_TEST_TLS_DIR:-/etc/engine-test-tls}
tls_renewed=false

# A CA valid for 10 years and a server certificate valid for 825 days, made again when the server
# certificate expires within a day. Nothing secret: they exist for the tests on this machine only.
make_test_certificates() {
  if [ -s "$TLS_DIR/ca.pem" ] && as_root openssl x509 -checkend 86400 -noout -in "$TLS_DIR/server.pem" >/dev/null 2>&1; then
    return 0
  fi
  as_root mkdir -p "$TLS_DIR"
  as_root chmod 755 "$TLS_DIR"
  as_root openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj "/CN=engine tests throwaway CA" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
    -keyout "$TLS_DIR/ca.key" -out "$TLS_DIR/ca.pem" 2>/dev/null
  as_root openssl req -newkey rsa:2048 -nodes -subj "/CN=localhost" -keyout "$TLS_DIR/server.key" -out "$TLS_DIR/server.csr" 2>/dev/null
  printf '%s\n' "subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1" "basicConstraints=CA:FALSE" \
    "keyUsage=critical,digitalSignature,keyEncipherment" "extendedKeyUsage=serverAuth" | as_root tee "$TLS_DIR/server.ext" >/dev/null
  as_root openssl x509 -req -days 825 -in "$TLS_DIR/server.csr" -CA "$TLS_DIR/ca.pem" -CAkey "$TLS_DIR/ca.key" -CAcreateserial \
    -extfile "$TLS_DIR/server.ext" -out "$TLS_DIR/server.pem" 2>/dev/null
  as_root chmod 644 "$TLS_DIR/ca.pem" "$TLS_DIR/server.pem"
  as_root chmod 600 "$TLS_DIR/ca.key" "$TLS_DIR/server.key"
  # Each server insists on owning its key, readable by nobody else.
  as_root install -m 600 -o postgres -g postgres "$TLS_DIR/server.key" "$TLS_DIR/postgres.key"
  as_root install -m 600 -o mysql -g mysql "$TLS_DIR/server.key" "$TLS_DIR/mariadb.key"
  tls_renewed=true
}

# Writes a configuration file only when its content changes; true when it did.
write_config() {
  local file=$1 content=$2
  if [ -f "$file" ] && [ "$(as_root cat "$file")" = "$content" ]; then return 1; fi
  printf '%s\n' "$content" | as_root tee "$file" >/dev/null
}

postgres_tls() {
  local version conf
  version=$(ls /etc/postgresql | sort -V | tail -n 1)
  conf=/etc/postgresql/$version/main/conf.d/90-engine-test-tls.conf
  as_root mkdir -p "$(dirname "$conf")"
  if write_config "$conf" "ssl = on
ssl_cert_file = '$TLS_DIR/server.pem'
ssl_key_file = '$TLS_DIR/postgres.key'" || $tls_renewed; then
    # TLS settings take effect on reload: no restart, open sessions are untouched.
    psql -q -h 127.0.0.1 -U postgres -d postgres -c 'SELECT pg_reload_conf()' >/dev/null
    sleep 1
  fi
  if [ "$(psql -At -h 127.0.0.1 -U postgres -d postgres -c 'SHOW ssl_cert_file')" != "$TLS_DIR/server.pem" ]; then
    echo "ensure-databases: PostgreSQL did not take $conf (see its log)" >&2
    return 1
  fi
}

mariadb_tls() {
  local cnf=/etc/mysql/mariadb.conf.d/90-engine-test-tls.cnf
  as_root mkdir -p "$(dirname "$cnf")"
  write_config "$cnf" "[mariadbd]
ssl_ca = $TLS_DIR/ca.pem
ssl_cert = $TLS_DIR/server.pem
ssl_key = $TLS_DIR/mariadb.key" || true
  local current
  current=$(mariadb --protocol=tcp -h 127.0.0.1 -P 3306 -uroot -N -e "SELECT CONCAT(@@have_ssl, ' ', @@ssl_cert)")
  if [ "$current" = "YES $TLS_DIR/server.pem" ]; then
    if $tls_renewed; then mariadb --protocol=tcp -h 127.0.0.1 -P 3306 -uroot -e 'FLUSH SSL'; fi
    return 0
  fi
  # ssl_cert and friends are read at start only: one restart, as short as possible.
  echo "ensure-databases: restarting MariaDB once to turn TLS on" >&2
  if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet mariadb 2>/dev/null; then
    as_root systemctl restart mariadb
  else
    # --retry waits until the old process has exited (it stops answering before it is gone).
    as_root start-stop-daemon --stop --oknodo --retry=TERM/60/KILL/5 --exec /usr/sbin/mariadbd
    as_root start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd -- --user=mysql
  fi
  wait_for MariaDB mariadb_up
  current=$(mariadb --protocol=tcp -h 127.0.0.1 -P 3306 -uroot -N -e "SELECT CONCAT(@@have_ssl, ' ', @@ssl_cert)")
  if [ "$current" != "YES $TLS_DIR/server.pem" ]; then
    echo "ensure-databases: MariaDB did not turn TLS on with $cnf (have_ssl, ssl_cert: $current)" >&2
    return 1
  fi
}

make_test_certificates
postgres_tls
mariadb_tls

echo "ensure-databases: PostgreSQL and MariaDB are up on 127.0.0.1, TLS on; test CA: $TLS_DIR/ca.pem (tests read ENGINE_TEST_TLS_CA, default /etc/engine-test-tls/ca.pem)"
