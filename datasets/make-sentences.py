#!/usr/bin/env python3
"""Real English text for the sentence encoders: calibration and evaluation files from Debian's `fortunes` package.

  datasets/make-sentences.py [--fortunes DIR] [--out DIR]     (default: /usr/share/games/fortunes, datasets/text)

Writes OUT/calib.txt and OUT/eval.txt, one text per line (UTF-8), and prints their counts. Install the package
first if the folder is missing (`apt-get install fortunes`).

What a text is: one fortune (the entries between '%' lines of every data file, not the .dat indexes), with its
attribution lines ('-- Name') dropped and its whitespace collapsed. Kept: 4 to 96 words, printable ASCII, at least
70% letters and spaces (this drops the ASCII-art files' drawings); duplicates (ignoring case) once.

How they are split, disjointly and reproducibly: by the SHA-256 of the lower-cased text, the first two bytes as a
number below 65536 — under 13108 (20%) goes to eval.txt, the rest to calib.txt. A text lands in the same file
whatever else the package holds, so a later package version moves no old text across the split. Each file is in
the order of that hash (a shuffle that mixes the source files), so the first N lines are a fair sample.
"""
import argparse
import hashlib
import os
import re
import sys

ATTRIBUTION = re.compile(r"^\s*(--|\u2014)\s*\S")
EVAL_BELOW = 13108  # of 65536: 20%


def entries(path):
    with open(path, encoding="utf-8", errors="replace") as f:
        block = []
        for line in f:
            if line.rstrip("\n") == "%":
                yield block
                block = []
            else:
                block.append(line.rstrip("\n"))
        yield block


def clean(block):
    text = " ".join(line for line in block if not ATTRIBUTION.match(line))
    text = " ".join(text.split())
    words = text.split(" ")
    if not 4 <= len(words) <= 96 or not text.isascii() or not text.isprintable():
        return None
    letters = sum(c.isalpha() or c == " " for c in text)
    return text if letters >= 0.7 * len(text) else None


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--fortunes", default="/usr/share/games/fortunes")
    ap.add_argument("--out", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "text"))
    args = ap.parse_args()
    if not os.path.isdir(args.fortunes):
        sys.exit("error: %s not found: install Debian's fortunes package (apt-get install fortunes)" % args.fortunes)
    seen, split = set(), {"calib": [], "eval": []}
    for name in sorted(os.listdir(args.fortunes)):
        path = os.path.join(args.fortunes, name)
        if "." in name or not os.path.isfile(path) or os.path.islink(path):
            continue
        for block in entries(path):
            text = clean(block)
            if text is None or text.lower() in seen:
                continue
            seen.add(text.lower())
            h = hashlib.sha256(text.lower().encode("utf-8")).digest()
            key = int.from_bytes(h[:2], "big")
            split["eval" if key < EVAL_BELOW else "calib"].append((h, text))
    if not seen:
        sys.exit("error: no usable text in %s" % args.fortunes)
    os.makedirs(args.out, exist_ok=True)
    for name, items in split.items():
        final = os.path.join(args.out, name + ".txt")
        tmp = final + ".tmp%d" % os.getpid()
        try:
            with open(tmp, "w", encoding="utf-8") as f:
                for _, text in sorted(items):
                    f.write(text + "\n")
            os.replace(tmp, final)
        finally:
            if os.path.exists(tmp):
                os.remove(tmp)
        print("%s: %d texts" % (final, len(items)))


if __name__ == "__main__":
    main()
