# The archive tests run against a real PostgreSQL server that they start themselves
# (tests/support/postgres.py): they need Debian's server binaries and, when run as root,
# the `postgres` system user that the package creates (the tests do not use the
# service the package may start).
apt_install postgresql
if ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; then
    echo "postgresql: $(ls -d /usr/lib/postgresql/*/bin | tail -1)"
fi
