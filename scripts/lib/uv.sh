# Shared by scripts/install, scripts/lock and scripts/test-latest: the uv that reads and
# writes uv.lock. Pinned so that every machine resolves and exports the same way.
UV_VERSION="0.13.9"

ensure_uv() {
    if [[ "$(uv --version 2>/dev/null | cut -d' ' -f2)" != "$UV_VERSION" ]]; then
        python3 -m pip install --quiet --disable-pip-version-check "uv==$UV_VERSION"
    fi
}

# Fail, saying how to fix it, when uv.lock no longer matches pyproject.toml or
# constraints.txt no longer matches uv.lock.
check_lock() {
    local out
    if ! out="$(uv lock --check 2>&1)"; then
        echo "$out" >&2
        echo "uv.lock does not match pyproject.toml: run scripts/lock and commit uv.lock." >&2
        return 1
    fi
    if ! export_constraints | cmp -s - constraints.txt; then
        echo "constraints.txt does not match uv.lock: run scripts/lock and commit constraints.txt." >&2
        return 1
    fi
}

# The locked runtime set (no extras, no test tools) as a pip constraints file.
export_constraints() {
    echo "# Brisa's locked runtime dependencies, exported from uv.lock by scripts/lock: do not edit."
    echo "# pip install 'brisa @ git+<repository>@<tag>' -c <this file at the same tag>"
    uv export --quiet --frozen --no-emit-project --no-hashes --no-header --format requirements-txt
}
