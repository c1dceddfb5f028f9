# Stand-in for the official postgres image where no registry can be reached
# (CI). Honours the same POSTGRES_USER / POSTGRES_PASSWORD / POSTGRES_DB
# variables and PGDATA location; Debian bookworm ships PostgreSQL 15.
FROM localbase:bookworm

ENV DEBIAN_FRONTEND=noninteractive
# hadolint ignore=DL3008
RUN mkdir -p /etc/postgresql-common \
 && echo 'create_main_cluster = false' > /etc/postgresql-common/createcluster.conf \
 && apt-get update \
 && apt-get install -y --no-install-recommends postgresql-15 \
 && rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin

ENV PATH=/usr/lib/postgresql/15/bin:$PATH \
    PGDATA=/var/lib/postgresql/data
RUN mkdir -p "$PGDATA" /var/run/postgresql \
 && chown -R postgres:postgres /var/lib/postgresql /var/run/postgresql
COPY postgres-entrypoint.sh /usr/local/bin/postgres-entrypoint.sh

# Debian gives the postgres user no fixed uid.
# hadolint ignore=DL3066
USER postgres
EXPOSE 5432
# Fast shutdown, as in the official image: SIGTERM would wait for clients.
STOPSIGNAL SIGINT
ENTRYPOINT ["sh", "/usr/local/bin/postgres-entrypoint.sh"]
CMD ["postgres"]
