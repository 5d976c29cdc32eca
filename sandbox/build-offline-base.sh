#!/usr/bin/env bash
# Build the sandbox base image with no container registry: debootstrap a minimal Debian
# (python3 and python3-numpy) from this machine's configured apt sources, then `docker
# import` it. Idempotent: does nothing when the image already exists.
#
#   sandbox/build-offline-base.sh [IMAGE]     (default: adrs-base:bookworm)
#
# Environment: ADRS_BASE_SUITE (default: this machine's Debian codename, else bookworm),
# ADRS_BASE_PACKAGES (extra Debian packages, comma-separated), ADRS_REBUILD=1 to rebuild.
set -euo pipefail

IMAGE="${1:-${ADRS_BASE_IMAGE:-adrs-base:bookworm}}"
codename="$( (. /etc/os-release 2>/dev/null && echo "${VERSION_CODENAME:-}") || true)"
SUITE="${ADRS_BASE_SUITE:-${codename:-bookworm}}"
PACKAGES="python3,python3-numpy${ADRS_BASE_PACKAGES:+,$ADRS_BASE_PACKAGES}"

say() { echo "build-offline-base: $*"; }
die() { echo "build-offline-base: error: $*" >&2; exit 1; }

command -v docker >/dev/null || die "the docker command line is not installed"
docker version --format '{{.Server.Version}}' >/dev/null 2>&1 || die "no Docker engine answers (is dockerd running, may this user use it?)"
if [ "${ADRS_REBUILD:-0}" != 1 ] && docker image inspect "$IMAGE" >/dev/null 2>&1; then
    say "$IMAGE already exists, skipped (ADRS_REBUILD=1 rebuilds it)"
    exit 0
fi

if ! command -v debootstrap >/dev/null; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        say "installing debootstrap"
        DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends debootstrap >/dev/null \
            || { apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends debootstrap >/dev/null; }
    else
        die "debootstrap is missing: run 'apt-get install debootstrap' as root"
    fi
fi
[ "$(id -u)" = 0 ] || die "debootstrap needs root (run this script as root)"

# The mirror apt already uses for this suite: no host name is written into this script.
MIRROR="$(apt-get indextargets --format '$(REPO_URI) $(RELEASE) $(COMPONENT)' 'Created-By: Packages' 2>/dev/null \
    | awk -v s="$SUITE" '$2 == s && $3 == "main" { print $1; exit }')"
[ -n "$MIRROR" ] || die "no apt source serves '$SUITE main' here (see /etc/apt/sources.list.d; run 'apt-get update')"

ROOT="$(mktemp -d "${TMPDIR:-/var/tmp}/adrs-rootfs.XXXXXX")"
trap 'rm -rf "$ROOT"' EXIT
start=$(date +%s)
say "debootstrap $SUITE (minbase + $PACKAGES) from $MIRROR"
if ! debootstrap --variant=minbase --include="$PACKAGES" --components=main \
        "$SUITE" "$ROOT" "$MIRROR" >"$ROOT.log" 2>&1; then
    tail -n 20 "$ROOT.log" >&2
    rm -f "$ROOT.log"
    die "debootstrap failed (log tail above)"
fi
rm -f "$ROOT.log"

# Nothing the sandbox needs: package caches, indexes, documentation.
rm -rf "$ROOT"/var/cache/apt/archives/*.deb "$ROOT"/var/lib/apt/lists/* \
    "$ROOT"/usr/share/doc/* "$ROOT"/usr/share/man/* "$ROOT"/usr/share/info/* \
    "$ROOT"/var/log/* "$ROOT"/tmp/* "$ROOT"/dev/*
"$ROOT/usr/bin/python3" --version >/dev/null 2>&1 || true  # the host may not run it; the image will

say "importing into Docker as $IMAGE"
tar -C "$ROOT" --numeric-owner -cf - . | docker import \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'ENV LANG=C.UTF-8' \
    --change 'LABEL org.adrs.image=base org.adrs.built-by=build-offline-base' \
    --change 'CMD ["python3"]' \
    --message "ADRS offline base: debootstrap $SUITE minbase + $PACKAGES" \
    - "$IMAGE" >/dev/null
say "built $IMAGE in $(( $(date +%s) - start )) s"
