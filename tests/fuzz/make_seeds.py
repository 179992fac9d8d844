#!/usr/bin/env python3
"""Writes one seed file per instruction of the hex corpora (tests/data/corpus/*.hex and
tests/data/apx-negative.txt) into a directory, for the decoder fuzz target."""
import hashlib
import pathlib
import sys


def main() -> int:
    if len(sys.argv) < 3:
        print("usage: make_seeds.py OUTDIR CORPUS-FILE-OR-DIR...", file=sys.stderr)
        return 2
    out = pathlib.Path(sys.argv[1])
    out.mkdir(parents=True, exist_ok=True)
    files = []
    for arg in sys.argv[2:]:
        p = pathlib.Path(arg)
        if p.is_dir():
            files += sorted(p.glob("*.hex"))
        elif p.is_file():
            files.append(p)
    count = 0
    for f in files:
        for line in f.read_text().splitlines():
            text = line.split("#", 1)[0].split("\t", 1)[0]
            try:
                data = bytes.fromhex(text.replace(",", " "))
            except ValueError:
                continue
            if data:
                (out / hashlib.sha1(data).hexdigest()).write_bytes(data)
                count += 1
    print(f"{count} seeds from {len(files)} files in {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
