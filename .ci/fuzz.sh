#!/usr/bin/env bash
# Runs every fuzz target of fuzz/ for a bounded time (FUZZ_SECONDS, 45 by default) from its
# seed corpus; a crash fails the run and leaves the input in fuzz/artifacts/. libFuzzer needs
# the nightly toolchain: without one, says so and skips.
set -euo pipefail
cd "$(dirname "$0")/../fuzz"
seconds=${FUZZ_SECONDS:-45}
if ! rustup toolchain list 2>/dev/null | grep -q '^nightly'; then
    echo "fuzz: no nightly toolchain on this machine (rustup toolchain list); skipped"
    exit 0
fi
if ! cargo fuzz --version 2>/dev/null | grep -q '0.13.2'; then
    cargo install cargo-fuzz --version 0.13.2 --locked --quiet
fi
for target in verify_bytes verify_signed extract bodies atob_json gateway_path; do
    corpus=$(mktemp -d)
    log=$(mktemp)
    echo "--- $target (${seconds} s)"
    status=0
    cargo +nightly fuzz run "$target" "$corpus" "seeds/$target" -- \
        -max_total_time="$seconds" -print_final_stats=1 >"$log" 2>&1 || status=$?
    grep -E 'stat::number_of_executed_units|ERROR|panicked|SUMMARY' "$log" || true
    [ "$status" -eq 0 ] || tail -40 "$log"
    rm -rf "$corpus" "$log"
    if [ "$status" -ne 0 ]; then
        echo "fuzz: $target failed (status $status); the input is in fuzz/artifacts/$target/" >&2
        exit 1
    fi
done
echo "fuzz: every target ran ${seconds} s without a crash"
