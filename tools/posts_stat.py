#!/usr/bin/env python3
"""Posts of generic forum threads on wcxb-dev forum pages, per half.

    python3 tools/posts_stat.py tune|holdout [N_SAMPLES]

Runs ./target/release/quire extract --profile generic --format json per forum page
(build first), counts pages with posts and posts, how many posts have an author and a
date, and how much of the reviewed main text the posts' words cover (recall of the
truth's words in the posts' text); prints N random samples for reading.
"""
import gzip, json, os, random, re, subprocess, sys
from collections import Counter
from urllib.parse import urlparse

D = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "..", "shared", "data", "wcxb-dev")
W = re.compile(r"\w+")


def half(url, cid):
    h = (urlparse(url).hostname or "").lower() if url else ""
    if h and not h.isascii():
        h = h.encode("idna").decode()
    if h.startswith("www."):
        h = h[4:]
    key = h if url and urlparse(url).hostname else cid
    x = 0xcbf29ce484222325
    for b in key.encode():
        x ^= b
        x = (x * 0x100000001b3) & 0xFFFFFFFFFFFFFFFF
    return "tune" if x % 2 == 0 else "holdout"


which = sys.argv[1]
show = int(sys.argv[2]) if len(sys.argv) > 2 else 0
pages = with_posts = posts = authored = dated = 0
recall = []
samples = []
for line in gzip.open(os.path.join(D, "cases.jsonl.gz"), "rt"):
    c = json.loads(line)
    if c["page_type"] != "forum" or half(c.get("url"), c["id"]) != which or not c.get("url"):
        continue
    html = gzip.open(os.path.join(D, "html", c["id"] + ".html.gz")).read()
    r = subprocess.run(["./target/release/quire", "extract", "-", "--url", c["url"], "--profile", "generic", "--format", "json"], input=html, capture_output=True)
    if r.returncode != 0:
        continue
    cc = json.loads(r.stdout)["content"]
    pages += 1
    ps = cc.get("posts", [])
    if ps:
        with_posts += 1
        posts += len(ps)
        authored += sum(1 for p in ps if p.get("author"))
        dated += sum(1 for p in ps if p.get("published"))
        got = Counter(W.findall(" ".join(p["text"] for p in ps).lower()))
        want = Counter(W.findall(c["main_content"].lower()))
        recall.append(sum((got & want).values()) / max(1, sum(want.values())))
        samples.append((c["id"], [(p.get("author"), (p.get("published") or {}).get("date"), p["text"][:50]) for p in ps[:3]]))
print(f"{which}: forum pages {pages}, with posts {with_posts}, posts {posts}, with author {authored}, with date {dated}, "
      f"mean recall of the truth's words in the posts {sum(recall) / max(1, len(recall)):.3f}")
random.seed(1)
for s in random.sample(samples, min(show, len(samples))):
    print(s)
