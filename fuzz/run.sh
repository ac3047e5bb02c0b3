#!/bin/sh
# Run every fuzz target (or the ones named) for SECONDS each, one at a time, in one
# process (the equivalent of -jobs=1).
#
#   cargo install cargo-fuzz            # once
#   fuzz/run.sh 240                     # all targets, 4 minutes each
#   fuzz/run.sh 60 fetch_url            # one target
#
# cargo-fuzz needs nightly flags; RUSTC_BOOTSTRAP=1 enables them on a stable toolchain.
# Seed corpora come from the test fixtures; crashes land in fuzz/artifacts/<target>/
# (turn each into a test in tests/regressions.rs).
set -eu
cd "$(dirname "$0")"
secs="${1:-240}"
[ $# -gt 0 ] && shift
targets="${*:-pipeline_process fetch_url fetch_robots store_files import_warc}"
export RUSTC_BOOTSTRAP=1

seed() { # seed <target> <selector-byte-octal> <files...>
  t="$1"; sel="$2"; shift 2
  mkdir -p "corpus/$t"
  for f in "$@"; do
    [ -f "$f" ] || continue
    out="corpus/$t/seed-$(basename "$(dirname "$f")")-$(basename "$f")-$sel"
    [ -e "$out" ] || { printf "\\$sel" > "$out"; cat "$f" >> "$out"; }
  done
}

seed pipeline_process 000 ../tests/fixtures/extract/*/page.html
seed pipeline_process 001 ../tests/fixtures/extract/*/page.html
seed fetch_robots 000 ../src/demo/site/v1/robots.txt
# Store files: the records, run files and manifests of a demo store (built once).
case " $targets " in *" store_files "*)
  if [ ! -d corpus/store_files ] || [ -z "$(ls corpus/store_files)" ]; then
    demo="$(mktemp -d)"
    cargo run -q --manifest-path ../Cargo.toml -- demo --store "$demo/store" > /dev/null
    mkdir -p corpus/store_files
    for f in "$demo"/store/runs/*/records/*.json; do
      { printf '\000'; cat "$f"; } > "corpus/store_files/rec-$(basename "$f")"
    done
    for f in "$demo"/store/runs/*/run.json; do
      { printf '\001'; cat "$f"; } > "corpus/store_files/run-$(basename "$(dirname "$f")")"
    done
    for f in "$demo"/store/runs/*/manifest.json; do
      { printf '\002'; cat "$f"; } > "corpus/store_files/man-$(basename "$(dirname "$f")")"
    done
    rm -rf "$demo"
  fi
;; esac
# WARC files: a demo store exported as .warc.gz, and the same decompressed.
case " $targets " in *" import_warc "*)
  if [ ! -d corpus/import_warc ] || [ -z "$(ls corpus/import_warc)" ]; then
    demo="$(mktemp -d)"
    cargo run -q --manifest-path ../Cargo.toml -- demo --store "$demo/store" > /dev/null
    mkdir -p corpus/import_warc
    cargo run -q --manifest-path ../Cargo.toml -- export --format warc --store "$demo/store" \
      -o corpus/import_warc/demo.warc.gz
    gzip -dc corpus/import_warc/demo.warc.gz > corpus/import_warc/demo.warc
    rm -rf "$demo"
  fi
;; esac
mkdir -p corpus/fetch_url
printf 'http://www.esr.com/archive/index.html\n../a/./b.html#x' > corpus/fetch_url/seed-1
printf 'HTTP://H.com:80/%%7Ea/\n//other.com/%%2e%%2E/x?y=%%3d' > corpus/fetch_url/seed-2

for t in $targets; do
  echo "== $t: ${secs}s"
  mkdir -p artifacts
  status=0
  cargo fuzz run -O "$t" -- -max_total_time="$secs" \
    -rss_limit_mb=2048 -timeout=20 -max_len=262144 > "artifacts/$t.log" 2>&1 || status=$?
  grep -E '^#[0-9]+' "artifacts/$t.log" | tail -n 1
  grep -E '^Done|ERROR|panicked|SUMMARY|Test unit written' "artifacts/$t.log" || true
  [ "$status" -eq 0 ] || { echo "$t: FAILED (exit $status), see fuzz/artifacts/$t.log"; exit "$status"; }
done
