#!/usr/bin/env python3
"""Score any quire binary on both development sets, per half, as a user would run it.

    python3 tools/score_binary.py QUIRE_BINARY OUT_DIR

Runs `QUIRE_BINARY extract PAGE --url URL --profile generic --format text|json`
once per page of ../shared/data/extract-dev and ../shared/data/wcxb-dev (two at a
time), then scores all pages and the `tune` and `holdout` halves (split by domain
exactly as benches/extract_dev.rs does: FNV-1a of the host without `www.`, even =
tune) with each set's own score.py: extract-dev P/R/F; wcxb-dev word F1 per page type
and title/author/date exactness on all pages and on articles.

Made for before/after comparisons across versions (an old binary has no bench
options): e.g. build an older commit in a worktree and score both binaries. Slower
than the bench (a process per page) but independent of the code under test.
"""
import gzip, json, os, subprocess, sys, shutil, concurrent.futures as cf
from urllib.parse import urlparse

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
D = os.path.join(ROOT, "..", "shared", "data")
quire, out = sys.argv[1], sys.argv[2]
def half(url, cid):
    h = (urlparse(url).hostname or "").lower() if url else ""
    if h and not h.isascii(): h = h.encode("idna").decode()  # as the url crate: punycode
    if h.startswith("www."): h = h[4:]
    key = h if url and urlparse(url).hostname else cid
    x = 0xcbf29ce484222325
    for b in key.encode():
        x ^= b; x = (x * 0x100000001b3) & 0xFFFFFFFFFFFFFFFF
    return "tune" if x % 2 == 0 else "holdout"
sets = {}
sets["extract-dev"] = [json.loads(l) for l in open(f"{D}/extract-dev/cases.jsonl")]
sets["wcxb-dev"] = [json.loads(l) for l in gzip.open(f"{D}/wcxb-dev/cases.jsonl.gz", "rt")]
def run(args):
    setname, c = args
    cid = c["id"]; url = c.get("url") or f"https://example.invalid/{cid}"
    o = f"{out}/{setname}"
    html = gzip.open(f"{D}/{setname}/html/{cid}.html.gz").read()
    for fmt, path in (("text", f"{o}/{cid}.txt"), ("json", f"{o}/json/{cid}.json")):
        r = subprocess.run([quire, "extract", "-", "--url", url, "--profile", "generic", "--format", fmt],
                           input=html, capture_output=True)
        # A failed page scores as empty output.
        open(path, "wb").write(r.stdout if r.returncode == 0 else b"")
for s in sets:
    os.makedirs(f"{out}/{s}/json", exist_ok=True)
with cf.ThreadPoolExecutor(2) as ex:
    list(ex.map(run, [(s, c) for s in sets for c in sets[s]]))
for s, cases in sets.items():
    for label in ("all", "tune", "holdout"):
        chosen = [c for c in cases if label == "all" or half(c.get("url"), c["id"]) == label]
        d = f"{out}/score-{s}-{label}"; os.makedirs(d, exist_ok=True)
        if s == "extract-dev":
            cf_ = f"{d}/cases.jsonl"
            open(cf_, "w").write("".join(json.dumps(c) + "\n" for c in chosen))
            r = subprocess.run(["python3", f"{D}/extract-dev/score.py", "--cases", cf_, "--outputs", f"{out}/{s}", "--json"], capture_output=True, text=True)
            j = json.loads([l for l in r.stdout.splitlines() if l.startswith("{")][-1])
            print(s, label, len(chosen), "P %.3f R %.3f F %.3f" % (j["precision"], j["recall"], j["f_score"]))
        else:
            shutil.copy(f"{D}/wcxb-dev/score.py", f"{d}/score.py")
            with gzip.open(f"{d}/cases.jsonl.gz", "wt") as g:
                g.write("".join(json.dumps(c) + "\n" for c in chosen))
            for types in (None, "article"):
                cmd = ["python3", f"{d}/score.py", "--outputs", f"{out}/{s}", "--meta", f"{out}/{s}/json"]
                if types: cmd += ["--types", types]
                r = subprocess.run(cmd, capture_output=True, text=True)
                for l in r.stdout.splitlines():
                    if (types is None and (l.startswith("pages") or l.strip().startswith("article"))) or "exact" in l:
                        print(s, label, types or "all-types", l.strip())
