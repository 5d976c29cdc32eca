# The docker sandbox's tests need a Docker engine and the default sandbox image
# (adrs-python:latest). With no registry, the image is built offline: debootstrap a
# minimal Debian from the apt sources, `docker import` it as adrs-base:bookworm, then
# `adrs sandbox build` on top. Idempotent: an image that exists is kept.
docker_image_prereq() {
    local image="adrs-python:latest" base
    if ! command -v docker >/dev/null || ! docker version >/dev/null 2>&1; then
        echo "no Docker engine answers: the docker sandbox tests will skip (fail under CI=true)"
        return 0
    fi
    if docker image inspect "$image" >/dev/null 2>&1; then
        echo "$image present"
        return 0
    fi
    if docker image inspect python:3.12-slim >/dev/null 2>&1; then
        base=python:3.12-slim
    else
        if [ "$(id -u)" != 0 ] && [ "${CI:-}" != true ]; then
            echo "missing: $image (as root: bash sandbox/build-offline-base.sh && adrs sandbox build --base adrs-base:bookworm)"
            return 0
        fi
        bash sandbox/build-offline-base.sh adrs-base:bookworm
        base=adrs-base:bookworm
    fi
    "$ADRS_VENV/bin/adrs" sandbox build --base "$base" --quiet
}
docker_image_prereq
