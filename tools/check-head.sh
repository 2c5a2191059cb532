#!/usr/bin/env bash
# Run the test suite on the committed HEAD in a separate worktree beside shared/
# (like CI's clean clone) with its own venv, so work in progress in this
# checkout cannot leak in. For developers sharing a checkout.
set -euo pipefail
repo=$(git rev-parse --show-toplevel)
dir=$(dirname "$repo")/rk-head
venv=$(dirname "$repo")/rk-head-venv
git -C "$repo" worktree remove --force "$dir" 2>/dev/null || rm -rf "$dir"
git -C "$repo" worktree prune
git -C "$repo" worktree add -q --detach "$dir" HEAD
test -x "$venv/bin/python" || python3 -m venv "$venv"
"$venv/bin/pip" install -q --disable-pip-version-check -c "$dir/constraints.txt" -e "$dir[dev]"
cd "$dir"
CI=${CI:-true} "$venv/bin/pytest" -q "$@"
