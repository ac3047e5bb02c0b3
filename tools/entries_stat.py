#!/usr/bin/env python3
"""Entries of generic index pages on wcxb-dev listing/collection/forum pages, per half.

    python3 tools/entries_stat.py tune|holdout [N_SAMPLES]

Runs ./target/release/quire extract --profile generic --format json per page (build
first) and counts pages classified as index, pages with entries and entries; prints N
random samples of entry titles for reading.
"""
import json,gzip,subprocess,sys,random
from urllib.parse import urlparse
import os
D=os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "..", "shared", "data", "wcxb-dev")
def half(url,cid):
    h=(urlparse(url).hostname or "").lower() if url else ""
    if h and not h.isascii(): h=h.encode("idna").decode()
    if h.startswith("www."): h=h[4:]
    key=h if url and urlparse(url).hostname else cid
    x=0xcbf29ce484222325
    for b in key.encode(): x^=b; x=(x*0x100000001b3)&0xFFFFFFFFFFFFFFFF
    return "tune" if x%2==0 else "holdout"
which=sys.argv[1]; show=int(sys.argv[2]) if len(sys.argv)>2 else 0
stats={}
samples=[]
for l in gzip.open(D+"/cases.jsonl.gz","rt"):
    c=json.loads(l)
    if c['page_type'] not in ('listing','collection','forum'): continue
    if half(c.get('url'),c['id'])!=which: continue
    html=gzip.open(f"{D}/html/{c['id']}.html.gz").read()
    r=subprocess.run(["./target/release/quire","extract","-","--url",c['url'],"--profile","generic","--format","json"],input=html,capture_output=True)
    if r.returncode!=0: print("FAIL",c["id"],r.stderr[:200]); continue
    d=json.loads(r.stdout); cc=d["content"]
    s=stats.setdefault(c['page_type'],[0,0,0,0])
    s[0]+=1; s[1]+= cc['page_type']=='index'
    n=len(cc.get('entries',[])); s[2]+= n>0; s[3]+=n
    if n: samples.append((c['id'],c['page_type'],[e.get('title') for e in cc['entries'][:6]]))
for t,v in sorted(stats.items()): print(t,"pages",v[0],"index",v[1],"with entries",v[2],"entries",v[3])
random.seed(1)
for s in random.sample(samples,min(show,len(samples))): print(s)
