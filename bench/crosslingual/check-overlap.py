#!/usr/bin/env python3
"""Checks that the held-out set (test.csv) does not repeat the dev set or the workbook.

For every test message, the highest difflib similarity (SequenceMatcher ratio, lowercased and
trimmed) against every dev.csv text and against every `question` / `variants` line of the demo
workbook (scripts/demo/demo-faq.csv, all languages; kb-en.csv is its English subset). Also checks
the shape: columns, 27 rows per language, the intent x language counts of dev.csv, labels that
exist in kb-en.csv, no duplicate texts. Exits 1 if a similarity reaches LIMIT or a check fails.

    python3 bench/crosslingual/check-overlap.py            # summary
    python3 bench/crosslingual/check-overlap.py --top 10   # also the 10 closest pairs

The `en` column (reference translations) is reported for information only: a faithful
translation may well be close to an English workbook phrasing.
"""
import argparse
import collections
import csv
import difflib
import os
import sys

LIMIT = 0.7
HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))


def rows(path):
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def norm(s):
    return " ".join(s.lower().split())


def best(text, pool):
    """(ratio, closest) of text against pool, a list of normalised strings."""
    t = norm(text)
    top = (0.0, "")
    for p in pool:
        m = difflib.SequenceMatcher(None, t, p)
        if m.real_quick_ratio() <= top[0] or m.quick_ratio() <= top[0]:
            continue
        r = m.ratio()
        if r > top[0]:
            top = (r, p)
    return top


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--top", type=int, default=0, help="print the N closest test/reference pairs")
    args = ap.parse_args()

    test = rows(os.path.join(HERE, "test.csv"))
    dev = rows(os.path.join(HERE, "dev.csv"))
    kb = rows(os.path.join(HERE, "kb-en.csv"))
    faq = rows(os.path.join(ROOT, "scripts", "demo", "demo-faq.csv"))
    problems = []

    if list(test[0].keys()) != ["text", "label", "lang", "question_id", "en"]:
        problems.append(f"columns are {list(test[0].keys())}")
    entries = {r["question_id"]: r["label"] for r in kb}
    for i, r in enumerate(test, start=2):
        if entries.get(r["question_id"]) != r["label"]:
            problems.append(f"row {i}: {r['question_id']} / {r['label']} is not an entry of kb-en.csv")
        if (r["lang"] == "en") != (r["en"] == ""):
            problems.append(f"row {i}: `en` must be empty exactly for English rows")
    if collections.Counter((r["label"], r["lang"]) for r in test) != collections.Counter(
        (r["label"], r["lang"]) for r in dev
    ):
        problems.append("intent x language counts differ from dev.csv")
    if len({norm(r["text"]) for r in test}) != len(test):
        problems.append("duplicate texts")

    dev_pool = [norm(r["text"]) for r in dev]
    wb_pool = sorted(
        {norm(line) for r in faq for line in [r["question"], *r["variants"].split("\n")] if line.strip()}
    )
    pairs = []
    worst = {"dev": (0.0, "", ""), "workbook": (0.0, "", ""), "en vs dev": (0.0, "", ""), "en vs workbook": (0.0, "", "")}
    for r in test:
        for name, col, pool in (
            ("dev", "text", dev_pool),
            ("workbook", "text", wb_pool),
            ("en vs dev", "en", dev_pool),
            ("en vs workbook", "en", wb_pool),
        ):
            if not r[col]:
                continue
            score, closest = best(r[col], pool)
            pairs.append((score, name, r[col], closest))
            if score > worst[name][0]:
                worst[name] = (score, r[col], closest)

    print(f"test.csv: {len(test)} rows, {collections.Counter(r['lang'] for r in test)}")
    print(f"references: {len(dev_pool)} dev texts, {len(wb_pool)} workbook question/variant lines")
    for name, (score, text, closest) in worst.items():
        note = "" if name in ("dev", "workbook") else " (information only)"
        print(f"max similarity, {name}{note}: {score:.3f}\n  test: {text}\n  ref:  {closest}")
    if args.top:
        print(f"\n{args.top} closest pairs (texts only):")
        for score, name, text, closest in sorted((p for p in pairs if not p[1].startswith("en")), reverse=True)[: args.top]:
            print(f"  {score:.3f} [{name}] {text!r} ~ {closest!r}")
    for name in ("dev", "workbook"):
        if worst[name][0] >= LIMIT:
            problems.append(f"a text reaches {worst[name][0]:.3f} >= {LIMIT} against {name}")
    for p in problems:
        print("FAIL:", p)
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
