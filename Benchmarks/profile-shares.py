#!/usr/bin/env python3
"""Self time of a `perf` profile summed by where it goes in a report run (Benchmarks/README.md,
"Where issue 17 ends"). Reads `perf report --no-children --sort dso,sym --stdio`:

    perf record -F 1999 -o /tmp/p.data pilotscope report -c Benchmarks/data/8x/pilotscope.yaml \
        --threads 2 --out /tmp/o --quiet
    perf report -i /tmp/p.data --no-children --sort dso,sym --stdio | Benchmarks/profile-shares.py

Each symbol goes to the first group whose pattern it matches; `--unmatched` lists the largest
symbols of no group.
"""
import re
import sys
from collections import Counter

GROUPS = [
    ("inflate (ISA-L)", r"libisal"),
    ("report.xlsx deflate and zip (zlib, ZIPFoundation)", r"libz\.so|ZIPFoundation"),
    ("kernel (page faults, zeroing, I/O, threads)", r"\[kernel"),
    ("CSV scan (fields, SIMD search)", r"FastCSVScanner|find3|find4|count_avx2|Chunker|ChunkHandler|LibCSV|isBlankLine"),
    ("touch rows: timestamp, email, event", r"RowParsers.*touch|Cursor|TimestampParser|EmailNormalizer|TouchEvent|Civil"),
    ("touch rows: pilot matching (URL, UTM, windows)", r"TouchProcessorV5match|UTMValues|URLFields|resolveUTM|utmMatches|internUTM|TouchContext|memchr"),
    ("touch rows: the rest of `row`", r"TouchProcessorV3row"),
    ("maps: visitor, email and key lookups, growth", r"KeyBatch|ByteMap|memcmp|flushVisitors|VisitorState|PagedArray|hashBytes|ByteStore|U64Map"),
    ("touch folds", r"TouchFolds|TouchAgg"),
    ("merge of the workers' touch states", r"absorb|TouchState"),
    ("CRM rows (parse, keys, B14 hash, arenas)", r"CRMProcessor|RowParsers.*crm|optionalTime|tiebreakHash|ValueArena|NumberParser|TagTable"),
    ("dedup", r"Dedup|PrimaryKey|Contacts|ContactEmails|Groups"),
    ("resolution, attribution, tables", r"ResolvedTouches|Attributor|Evaluator|Table|Influence|Velocity|Weekly|Funnel|Quality|Credit|Metric"),
    ("output text (XML, CSV, HTML)", r"XLSX|XMLBytes|HTML|TableWriter|csvQuote|String|Character|Unicode"),
    ("Swift runtime, malloc, memcpy/memset", r"swift_|swift::|malloc|free|memmove|memset|memcpy|_int_|Array|ContiguousArray|Hasher"),
    ("SHA-256 of the inputs (OpenSSL)", r"libcrypto"),
]


def main() -> None:
    shares, unmatched = Counter(), Counter()
    for line in sys.stdin:
        m = re.match(r"\s*([\d.]+)%\s+(\S+)\s+\[.\]\s+(.*)", line)
        if not m:
            continue
        share, symbol = float(m.group(1)), m.group(2) + " " + m.group(3)
        group = next((name for name, rx in GROUPS if re.search(rx, symbol)), "other")
        shares[group] += share
        if group == "other":
            unmatched[symbol[:100]] += share
    for name, share in shares.most_common():
        print(f"{share:5.1f} %  {name}")
    if "--unmatched" in sys.argv:
        for symbol, share in unmatched.most_common(20):
            print(f"    {share:5.2f} %  {symbol}")


if __name__ == "__main__":
    main()
