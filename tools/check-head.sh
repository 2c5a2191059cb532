#!/usr/bin/env bash
# Run the test suite on the committed HEAD in a separate worktree (beside shared/,
# like CI's clone), using this checkout's .venv. For developers sharing a checkout.
set -euo pipefail
repo=$(git rev-parse --show-toplevel)
dir=$(dirname "$repo")/rk-head
git -C "$repo" worktree remove --force "$dir" 2>/dev/null || rm -rf "$dir"
git -C "$repo" worktree prune
git -C "$repo" worktree add -q --detach "$dir" HEAD
cd "$dir"
CI=${CI:-true} PYTHONPATH="$dir" "$repo/.venv/bin/pytest" -q "$@"
