#!/usr/bin/env python3
"""Train the generic extractor's models (src/extract/generic/{pagetype,blocks}.model).

One command retrains it from the development data:

    python3 tools/train_blocks.py            # export features, train, cross-check, write the model

What it does:
1. `cargo bench --bench extract_dev -- --set wcxb --export-features DIR`: every unit of
   visible text of every wcxb-dev page, with the feature vector quire computes for it
   (src/extract/generic/features.rs).
2. The page-type model: page features → the seven page types the benchmark labels
   (article, collection, documentation, forum, listing, product, service). Its
   probabilities become features of every unit of the page; for training, each page
   gets them from a model that did not see that page (out-of-fold, 5 folds by domain).
3. Labels each unit from the page's reviewed main text: a unit is content when its
   words occur, in order, in the main text (short units also need a content neighbour);
   it is not when fewer than half of its words occur there; in between it is left out.
4. Cross-checks by domain: trains both models on the `tune` half and scores the
   `holdout` half, and the other way round, with the benchmark's own metric (per-page
   word-bag F1 of the kept units' text), so overfitting shows before the judging does.
5. Trains the shipped models on both halves with the same settings and the threshold
   the two folds chose, and writes them in quire's text format (see classify.rs).

Needs: python3 with numpy and lightgbm (pip install numpy lightgbm). Deterministic:
fixed seeds, one thread. Development data: ../shared/data/wcxb-dev (CC-BY-4.0, WCXB by
Murrough Foley). Options: --features DIR (reuse an export), --out FILE, --no-export.
"""
import argparse
import collections
import gzip
import json
import os
import re
import subprocess
import sys
import tempfile

import numpy as np
import lightgbm as lgb

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DATA = os.path.join(ROOT, "..", "shared", "data", "wcxb-dev")
W = re.compile(r"\w+")

PARAMS = dict(
    objective="binary",
    learning_rate=0.1,
    num_leaves=31,
    min_data_in_leaf=40,
    feature_fraction=0.8,
    bagging_fraction=0.8,
    bagging_freq=1,
    lambda_l2=1.0,
    seed=7,
    deterministic=True,
    force_row_wise=True,
    num_threads=1,
    verbose=-1,
)
ROUNDS = 150
PAGE_TYPES = ["article", "collection", "documentation", "forum", "listing", "product", "service"]
PAGE_PARAMS = dict(
    objective="multiclass",
    num_class=len(PAGE_TYPES),
    learning_rate=0.05,
    num_leaves=7,
    min_data_in_leaf=10,
    feature_fraction=0.5,
    bagging_fraction=0.8,
    bagging_freq=1,
    lambda_l2=1.0,
    seed=7,
    deterministic=True,
    force_row_wise=True,
    num_threads=1,
    verbose=-1,
)
PAGE_ROUNDS = 200


def words(s):
    return W.findall(s.lower())


def load(feat_dir):
    names = open(os.path.join(feat_dir, "names.txt")).read().split()
    d = os.path.join(feat_dir, "wcxb-dev")
    X = np.fromfile(os.path.join(d, "features.f32"), dtype="<f4").reshape(-1, len(names))
    units = [json.loads(l) for l in open(os.path.join(d, "units.jsonl"), encoding="utf-8")]
    assert len(units) == X.shape[0], "units and features differ in length"
    cases = {}
    with gzip.open(os.path.join(DATA, "cases.jsonl.gz"), "rt", encoding="utf-8") as f:
        for l in f:
            c = json.loads(l)
            cases[c["id"]] = c
    page_names = open(os.path.join(feat_dir, "page_names.txt")).read().split()
    PX = np.fromfile(os.path.join(d, "pages.f32"), dtype="<f4").reshape(-1, len(page_names))
    pages = [json.loads(l) for l in open(os.path.join(d, "pages.jsonl"), encoding="utf-8")]
    assert len(pages) == PX.shape[0]
    return names, X, units, cases, page_names, PX, pages


def label(units, cases):
    """y (1, 0, or -1 for 'left out') and the unit's word count, per row."""
    y = np.full(len(units), -1, dtype=np.int8)
    nw = np.zeros(len(units), dtype=np.float32)
    by_page = collections.defaultdict(list)
    for i, u in enumerate(units):
        by_page[u["id"]].append(i)
    for pid, rows in by_page.items():
        truth = words(cases[pid]["main_content"])
        tstr = " " + " ".join(truth) + " "
        tbag = collections.Counter(truth)
        prelim = {}
        for i in rows:
            w = words(units[i]["text"])
            nw[i] = len(w)
            if not w:
                continue
            sub = (" " + " ".join(w) + " ") in tstr
            bag = collections.Counter(w)
            cover = sum((bag & tbag).values()) / len(w)
            if len(w) >= 4:
                if sub or (cover >= 0.9 and len(w) >= 8):
                    prelim[i] = 1
                elif cover < 0.5:
                    prelim[i] = 0
            else:
                prelim[i] = 2 if sub else 0  # 2: decided by the neighbours below
        for k, i in enumerate(rows):
            v = prelim.get(i)
            if v == 2:
                near = [prelim.get(rows[j]) for j in range(max(0, k - 3), min(len(rows), k + 4)) if j != k]
                v = 1 if 1 in near else 0
            if v is not None:
                y[i] = v
    return y, nw


def weights(units, nw, y):
    """Each page weighs the same (the metric averages pages); inside a page, a unit
    weighs its words."""
    tot = collections.Counter()
    for i, u in enumerate(units):
        if y[i] >= 0:
            tot[u["id"]] += nw[i]
    return np.array([nw[i] / tot[u["id"]] * 100 if y[i] >= 0 and tot[u["id"]] else 0.0
                     for i, u in enumerate(units)], dtype=np.float64)


def prf(pred, ref):
    p, r = collections.Counter(words(pred)), collections.Counter(words(ref))
    if not r:
        return 1.0 if not p else 0.0
    if not p:
        return 0.0
    o = sum((p & r).values())
    P, R = o / sum(p.values()), o / sum(r.values())
    return 2 * P * R / (P + R) if P + R else 0.0


def page_f1(units, cases, rows, prob, thr):
    """Mean per-page F1 of the kept units' text, by page type."""
    by_page = collections.defaultdict(list)
    for i in rows:
        by_page[units[i]["id"]].append(i)
    per_type = collections.defaultdict(list)
    for pid, rs in by_page.items():
        text = "\n".join(units[i]["text"] for i in rs if prob[i] > thr)
        c = cases[pid]
        per_type[c["page_type"]].append(prf(text, c["main_content"]))
    allv = [v for vs in per_type.values() for v in vs]
    return sum(allv) / max(1, len(allv)), {k: sum(v) / len(v) for k, v in sorted(per_type.items())}


def train(X, y, w, rows):
    m = rows[y[rows] >= 0]
    ds = lgb.Dataset(X[m], label=y[m], weight=w[m], free_raw_data=False)
    return lgb.train(PARAMS, ds, num_boost_round=ROUNDS)


def best_threshold(units, cases, rows, prob):
    best = (0.0, 0.5)
    for thr in np.arange(0.2, 0.81, 0.05):
        f, _ = page_f1(units, cases, rows, prob, thr)
        best = max(best, (f, float(thr)))
    return best[1]


def domain(url):
    host = re.sub(r"^[a-z]+://", "", url or "").split("/")[0].split(":")[0].lower()
    return host[4:] if host.startswith("www.") else host


def fold_of(key):
    """Deterministic fold (of 5) of a domain, for out-of-fold features: a page never
    gets a feature from a model or lexicon that saw its own site."""
    h = 0
    for b in key.encode():
        h = (h * 131 + b) % 1000003
    return h % 5


MIN_DOMAINS = 8
LEX_MAX = {"w": 6000, "c": 3000}


def fit_lexicon(units, y, idx, dom, key):
    """Log-odds of content for the tokens (key "w": words, "c": class names) of the
    labelled units in idx, kept only when seen on at least MIN_DOMAINS sites."""
    pos, neg, doms = collections.Counter(), collections.Counter(), collections.defaultdict(set)
    P = N = 0
    for i in idx:
        if y[i] < 0:
            continue
        toks = units[i][key]
        if y[i] == 1:
            P += 1
            pos.update(toks)
        else:
            N += 1
            neg.update(toks)
        d = dom[i]
        for t in toks:
            if len(doms[t]) < MIN_DOMAINS:
                doms[t].add(d)
    prior = np.log((P + 1) / (N + 1))
    cand = [t for t in doms if len(doms[t]) >= MIN_DOMAINS]
    cand.sort(key=lambda t: (-(pos[t] + neg[t]), t))
    return {t: float(np.float32(np.log((pos[t] + 1) / (neg[t] + 1)) - prior)) for t in cand[:LEX_MAX[key]]}


def lex_stats(toks, table):
    found = [np.float32(table[t]) for t in toks if t in table]
    if not found:
        return (0.0, 0.0, 0.0, 0.0, 0.0)
    s = np.float32(0)
    for x in found:
        s = np.float32(s + x)
    return (s, s / np.float32(len(found)), min(found), max(found), np.float32(len(found)) / np.float32(max(1, len(toks))))


def set_lex(X, names, units, rows, lw, lc):
    a = names.index("lex_text_mean")
    for i in rows:
        _, mean, mn, mx, cover = lex_stats(units[i]["w"], lw)
        csum, _, cmn, cmx, _ = lex_stats(units[i]["c"], lc)
        X[i, a:a + 7] = (mean, mn, mx, cover, csum, cmn, cmx)


def lex_features(X, names, units, y, dom, fit_idx, pred_idx):
    """X with the lex_* columns: out-of-fold for fit_idx, from all of fit_idx for
    pred_idx. Returns (X, lexicon fitted on all of fit_idx)."""
    X = X.copy()
    folds = np.array([fold_of(d) for d in dom])
    for k in range(5):
        tr, te = fit_idx[folds[fit_idx] != k], fit_idx[folds[fit_idx] == k]
        set_lex(X, names, units, te, fit_lexicon(units, y, tr, dom, "w"), fit_lexicon(units, y, tr, dom, "c"))
    lw, lc = fit_lexicon(units, y, fit_idx, dom, "w"), fit_lexicon(units, y, fit_idx, dom, "c")
    set_lex(X, names, units, pred_idx, lw, lc)
    return X, (lw, lc)


def fit_pages(PX, py, idx):
    ds = lgb.Dataset(PX[idx], label=py[idx])
    return lgb.train(PAGE_PARAMS, ds, num_boost_round=PAGE_ROUNDS)


def page_probs(PX, py, pages, fit_idx, pred_idx):
    """Page-type probabilities: out-of-fold for the pages in fit_idx, from a model on
    all of fit_idx for the pages in pred_idx."""
    P = np.zeros((len(pages), len(PAGE_TYPES)))
    folds = np.array([fold_of(domain(pages[i].get("url"))) for i in range(len(pages))])
    for k in range(5):
        tr = fit_idx[folds[fit_idx] != k]
        te = fit_idx[folds[fit_idx] == k]
        if len(te):
            P[te] = fit_pages(PX, py, tr).predict(PX[te])
    if len(pred_idx):
        P[pred_idx] = fit_pages(PX, py, fit_idx).predict(PX[pred_idx])
    return P


def with_types(X, names, units, pages, P):
    """The unit rows with the pt_* columns set from the page probabilities."""
    first = names.index("pt_" + PAGE_TYPES[0])
    row_of = {p["id"]: i for i, p in enumerate(pages)}
    Xt = X.copy()
    pidx = np.array([row_of[u["id"]] for u in units])
    Xt[:, first:first + len(PAGE_TYPES)] = P[pidx].astype(np.float32)
    return Xt


def export(booster, names, thr, path, classes=1, lexicon=None):
    dump = booster.dump_model()
    out = ["quire-gbdt 1", "features %d %s" % (len(names), " ".join(names)),
           "classes %d" % classes,
           "threshold " + " ".join("%r" % float(x) for x in (thr if isinstance(thr, tuple) else (thr,))),
           "base 0"]
    if lexicon:
        for kind, table in zip(("text", "class"), lexicon):
            out.append("lexicon %s %d" % (kind, len(table)))
            out.extend("w %s %r" % (t, v) for t, v in sorted(table.items()))
    for t in dump["tree_info"]:
        splits, leaves = [], []

        def walk(node):
            if "leaf_value" in node or "split_feature" not in node:
                leaves.append(node.get("leaf_value", 0.0))
                return -len(leaves)
            k = len(splits)
            splits.append(None)
            assert node["decision_type"] == "<=", node["decision_type"]
            left = walk(node["left_child"])
            right = walk(node["right_child"])
            splits[k] = (node["split_feature"], node["threshold"], left, right)
            return k

        root = walk(t["tree_structure"])
        assert root in (0, -1)
        out.append("tree %d %d" % (len(splits), len(leaves)))
        for f, th, l, r in splits:
            out.append("split %d %r %d %d" % (f, float(th), l, r))
        for v in leaves:
            out.append("leaf %r" % float(v))
    with open(path, "w") as f:
        f.write("\n".join(out) + "\n")


def check_export(path, booster, X):
    """Evaluate the written file the way classify.rs does and compare with LightGBM."""
    lines = [l.split() for l in open(path) if l.strip()]
    classes = int(lines[2][1])
    base = float(lines[4][1])
    trees, k = [], 5
    while k < len(lines) and lines[k][0] == "lexicon":
        k += 1 + int(lines[k][2])
    while k < len(lines):
        ns, nl = int(lines[k][1]), int(lines[k][2])
        sp = [(int(a[1]), float(a[2]), int(a[3]), int(a[4])) for a in lines[k + 1:k + 1 + ns]]
        lv = [float(a[1]) for a in lines[k + 1 + ns:k + 1 + ns + nl]]
        trees.append((sp, lv))
        k += 1 + ns + nl
    sample = X[:: max(1, len(X) // 2000)]
    ours = []
    for x in sample:
        s = [base] * classes
        for ti, (sp, lv) in enumerate(trees):
            if not sp:
                s[ti % classes] += lv[0]
                continue
            i = 0
            while True:
                f, th, l, r = sp[i]
                c = l if float(x[f]) <= th else r
                if c < 0:
                    s[ti % classes] += lv[-c - 1]
                    break
                i = c
        ours.append(s if classes > 1 else s[0])
    theirs = booster.predict(sample, raw_score=True)
    err = float(np.max(np.abs(np.array(ours) - theirs)))
    assert err < 1e-4, "exported model disagrees with LightGBM by %g" % err
    return err


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--features", help="reuse an export made by the bench")
    ap.add_argument("--out", default=os.path.join(ROOT, "src/extract/generic/blocks.model"))
    ap.add_argument("--page-out", default=os.path.join(ROOT, "src/extract/generic/pagetype.model"))
    ap.add_argument("--fit", choices=("all", "tune", "holdout"), default="all",
                    help="which half the written model learns from (all: the shipped model; "
                         "tune: to measure the holdout half honestly with the bench)")
    a = ap.parse_args()
    tmp = None
    feat_dir = a.features
    if not feat_dir:
        tmp = tempfile.mkdtemp(prefix="quire-features-")
        feat_dir = tmp
        subprocess.run(["cargo", "bench", "--bench", "extract_dev", "--", "--set", "wcxb",
                        "--export-features", feat_dir], cwd=ROOT, check=True)
    names, X, units, cases, page_names, PX, pages = load(feat_dir)
    py = np.array([PAGE_TYPES.index(cases[p["id"]]["page_type"]) for p in pages])
    phalf = np.array([p["half"] for p in pages])
    prow = {h: np.where(phalf == h)[0] for h in ("tune", "holdout")}
    y, nw = label(units, cases)
    w = weights(units, nw, y)
    half = np.array([u["half"] for u in units])
    rows = {h: np.where(half == h)[0] for h in ("tune", "holdout")}
    print("units %d: content %d, not %d, left out %d" % (len(y), (y == 1).sum(), (y == 0).sum(), (y < 0).sum()))
    url_of = {p["id"]: p.get("url") for p in pages}
    dom = [domain(url_of[u["id"]]) or u["id"] for u in units]
    thrs = []
    probs = np.zeros(len(y))
    kept = X[:, names.index("rule_kept")] > 0.5
    for fit, test in (("tune", "holdout"), ("holdout", "tune")):
        P = page_probs(PX, py, pages, prow[fit], prow[test])
        acc = (P[prow[test]].argmax(1) == py[prow[test]]).mean()
        Xt = with_types(X, names, units, pages, P)
        Xt, _ = lex_features(Xt, names, units, y, dom, rows[fit], rows[test])
        b = train(Xt, y, w, rows[fit])
        thr = best_threshold(units, cases, rows[fit], _full(b, Xt, rows[fit]))
        prob = _full(b, Xt, rows[test])
        probs[rows[test]] = prob[rows[test]]
        f, by = page_f1(units, cases, rows[test], prob, thr)
        thrs.append(thr)
        print("trained on %-7s page type accuracy on %s %.3f; threshold %.2f -> F1 %.4f  %s" % (
            fit, test, acc, thr, f, "  ".join("%s %.3f" % kv for kv in by.items())), flush=True)
    np.save(os.path.join(feat_dir, "heldout_probs.npy"), probs)
    # Two thresholds (for units outside and inside the rule-based choice), chosen on
    # the two folds' held-out predictions together.
    best = None
    for t_out in np.arange(0.3, 0.86, 0.05):
        for t_in in np.arange(0.05, t_out + 0.01, 0.05):
            eff = np.where(kept, probs - t_in + 0.5, probs - t_out + 0.5)
            fs = [page_f1(units, cases, rows[h], eff, 0.5)[0] for h in ("holdout", "tune")]
            cand = (float(np.mean(fs)), float(t_out), float(t_in), fs)
            best = cand if best is None or cand[0] > best[0] else best
    _, t_out, t_in, fs = best
    for h, f in zip(("holdout", "tune"), fs):
        eff = np.where(kept, probs - t_in + 0.5, probs - t_out + 0.5)
        _, by = page_f1(units, cases, rows[h], eff, 0.5)
        print("thresholds %.2f outside / %.2f inside the rule-based choice -> %s F1 %.4f  %s" % (
            t_out, t_in, h, f, "  ".join("%s %.3f" % kv for kv in by.items())))
    thr = (t_out, t_in)
    fit_rows = np.arange(len(y)) if a.fit == "all" else rows[a.fit]
    fit_pages_idx = np.arange(len(pages)) if a.fit == "all" else prow[a.fit]
    P = page_probs(PX, py, pages, fit_pages_idx, np.array([], dtype=int))
    Xt = with_types(X, names, units, pages, P)
    Xt, lexicon = lex_features(Xt, names, units, y, dom, fit_rows, np.array([], dtype=int))
    b = train(Xt, y, w, fit_rows)
    pm = fit_pages(PX, py, fit_pages_idx)
    export(pm, page_names, 0.5, a.page_out, classes=len(PAGE_TYPES))
    perr = check_export(a.page_out, pm, PX)
    export(b, names, thr, a.out, lexicon=lexicon)
    err = check_export(a.out, b, Xt)
    print("wrote %s and %s (fit on %s, %d + %d trees, thresholds %s; exports match LightGBM within %.1e)" % (
        a.page_out, a.out, a.fit, pm.num_trees(), b.num_trees(), thr, max(err, perr)))


def _full(b, X, rows):
    """Probabilities for every row index (zeros outside `rows`)."""
    p = np.zeros(X.shape[0])
    p[rows] = b.predict(X[rows])
    return p


if __name__ == "__main__":
    sys.exit(main())
