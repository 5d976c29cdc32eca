# NVRTC and the CUDA headers (the project's 'cuda-compile' extra, ~93 MB of wheels, a few
# seconds to install) for the CUDA problems' tests: compiling kernels to PTX needs no GPU.
# Installed into the test venv as root or under CI=true; elsewhere the tests that need it
# skip, and this says how to enable them. Evaluating kernels needs a GPU and the 'cuda'
# extra (CuPy), which no CI machine has: those tests skip everywhere without a GPU.
venv="${ADRS_VENV:-.venv}"
if "$venv/bin/python" -c 'import sys; from evaluators.cuda import nvrtc; sys.exit(nvrtc.available() is not None)'; then
    echo "NVRTC: available"
else
    reqs=$("$venv/bin/python" -c 'import tomllib; print(" ".join(tomllib.load(open("pyproject.toml", "rb"))["project"]["optional-dependencies"]["cuda-compile"]))')
    if [ "$(id -u)" = 0 ] || [ "${CI:-}" = true ]; then
        echo "installing the cuda-compile extra: $reqs"
        # shellcheck disable=SC2086  # one word per requirement
        "$venv/bin/pip" install --quiet $reqs
    else
        echo "missing (pip install '.[cuda-compile]' to enable the CUDA compile tests): $reqs"
    fi
fi
