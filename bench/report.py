"""Turn bench/run.sh's measurements into bench/RESULTS.md.

    python3 report.py RAW RESULTS.md

RAW holds one measurement a line: "SIZE SYSTEM KIND key=value ...".
"""

import json
import math
import os
import platform
import subprocess
import sys
import time

SIZES = {"s": "8.5k", "m": "100k", "l": "1M"}
PEERS = ["redland", "oxigraph", "jena"]
SYSTEMS = ["kgraph-memory", "kgraph-lmdb"] + PEERS


def parse(path):
    rows = []
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            parts = line.split()
            if len(parts) < 3:
                continue
            kv = dict(p.split("=", 1) for p in parts[3:] if "=" in p)
            rows.append((parts[0], parts[1], parts[2], kv))
    return rows


def sh(cmd):
    try:
        return subprocess.run(cmd, shell=True, capture_output=True, text=True,
                              timeout=20).stdout.strip()
    except Exception:  # noqa: BLE001 - a missing tool just leaves a blank
        return ""


def oxigraph_version():
    path = os.path.join(os.environ.get("KG_BENCH_DEPS", ""), "node_modules",
                        "oxigraph", "package.json")
    try:
        with open(path, encoding="utf-8") as fh:
            return json.load(fh).get("version", "?")
    except OSError:
        return "-"


def machine():
    cpu = sh("lscpu | sed -n 's/^Model name: *//p' | head -1")
    mem = sh("free -g | awk '/^Mem:/ {print $2}'")
    osname = sh(". /etc/os-release && echo $PRETTY_NAME")
    return [
        f"- CPU: {cpu or platform.processor()}, {os.cpu_count()} cores; "
        f"memory {mem} GiB; {osname}, Linux {platform.release()}",
        f"- load average when the report was written: "
        f"{' '.join(f'{x:.1f}' for x in os.getloadavg())} (other work on the "
        "machine slows everything measured here alike)",
        f"- serdi {sh('serdi -v 2>&1 | head -1') or '?'}; "
        f"roqet {sh('roqet -v') or '?'}; rdfproc {sh('rdfproc -v') or '?'}; "
        f"node {sh('node --version') or '-'}; "
        f"oxigraph {oxigraph_version()}; "
        f"java {sh('java -version 2>&1 | head -1') or '-'}",
        f"- written {time.strftime('%Y-%m-%d %H:%M')}",
    ]


def fnum(x, digits=1):
    if x is None:
        return "–"
    if x >= 100:
        return f"{x:,.0f}"
    return f"{x:.{digits}f}"


def geomean(values):
    values = [max(v, 0.001) for v in values]
    if not values:
        return None
    return math.exp(sum(math.log(v) for v in values) / len(values))


def main():
    raw, out = sys.argv[1], sys.argv[2]
    rows = parse(raw)
    sizes = [s for s in SIZES if any(r[0] == s for r in rows)]
    data = {r[0]: r[3] for r in rows if r[1] == "data"}

    def get(size, system, kind, **match):
        for r in rows:
            if r[0] == size and r[1] == system and r[2] == kind and all(
                    r[3].get(k) == v for k, v in match.items()):
                return r[3]
        return None

    lines = ["# kgraph benchmark results", "",
             "Written by `bench/run.sh` (rerun it to refresh this file; the "
             "measurements are in `bench/raw-results.txt`). LUBM data from "
             "`../shared/bench`, queries in `bench/queries/` (the 14 LUBM "
             "queries rewritten without inference, then operator queries). "
             "Query times are the median of the warm runs after one cold "
             "run, in milliseconds; 30 s per query.", "", "## Machine", ""]
    lines += machine()

    # ---- loading ----
    lines += ["", "## Loading", "",
              "| data | system | seconds | triples/s | × serdi rate | peak RSS MB | bytes/triple (RSS) |",
              "|---|---|---:|---:|---:|---:|---:|"]
    for size in sizes:
        n = int(data.get(size, {}).get("triples", "0") or 0)
        serdi = get(size, "serdi", "load")
        srate = float(serdi["rate"]) if serdi else None
        entries = []
        if serdi:
            entries.append(("serdi (parse only)", float(serdi["seconds"]), None))
        for system in ["kgraph-memory", "kgraph-lmdb", "redland", "oxigraph", "jena"]:
            ld = get(size, system, "load")
            if not ld or "seconds" not in ld:
                continue
            rss = ld.get("rss_kb")
            proc = get(size, system, "process")
            if system in ("oxigraph", "jena") and proc:
                rss = proc.get("rss_kb")
            entries.append((system, float(ld["seconds"]),
                            int(rss) if rss else None))
        for system, secs, rss in entries:
            rate = n / secs if secs > 0 else None
            ratio = rate / srate if rate and srate else None
            per = rss * 1024 / n if rss and n else None
            lines.append(
                f"| {SIZES[size]} | {system} | {secs:.3f} | {fnum(rate)} | "
                f"{fnum(ratio, 2) if ratio else '–'} | "
                f"{fnum(rss / 1024) if rss else '–'} | {fnum(per)} |")
    lines += ["", "On disk (LMDB): " + "; ".join(
        f"{SIZES[s]}: {int(get(s, 'kgraph-lmdb', 'load')['file_bytes']) / 1e6:.1f} MB, "
        f"{int(get(s, 'kgraph-lmdb', 'load')['file_bytes']) / int(data[s]['bytes']):.2f}× "
        f"the N-Triples file"
        for s in sizes if get(s, "kgraph-lmdb", "load") and s in data) + "."]

    # ---- start-up ----
    start = {r[1]: float(r[3]["seconds"]) for r in rows if r[0] == "startup"}
    if start:
        lines += ["", "## Start-up", "",
                  "Starting the CLI and answering one query (COUNT of every "
                  "statement) over the article graph, median of 21 runs: " +
                  "; ".join(f"{k}: {v * 1e3:.0f} ms" for k, v in start.items()) +
                  ". kgraph parses the article's TriG and ontology and "
                  "computes their RDFS closure on each start; roqet reads "
                  "the TriG only."]

    # ---- lookups ----
    look = [r for r in rows if r[2] == "lookup"]
    if look:
        lines += ["", "## Single-pattern lookups (kgraph in memory, CPU time)", "",
                  "match = open a cursor and read the first quad; count = exact count.", "",
                  "| data | shape | match ns | count ns |", "|---|---|---:|---:|"]
        for r in look:
            lines.append(f"| {SIZES[r[0]]} | `{r[3]['shape']}` | "
                         f"{r[3]['match_first_ns']} | {r[3]['count_ns']} |")

    # ---- queries ----
    mismatches = []
    lines += ["", "## Queries (warm median, ms; ratio = peer / kgraph in memory)", ""]
    for size in sizes:
        names = sorted({r[3]["name"] for r in rows
                        if r[0] == size and r[2] == "query"})
        present = [s for s in SYSTEMS if any(
            r[0] == size and r[1] == s and r[2] == "query" for r in rows)]
        lines += [f"### LUBM {SIZES[size]}", "",
                  "| query | rows | " + " | ".join(present) + " |",
                  "|---|---:|" + "---:|" * len(present)]
        gm = {s: [] for s in present}
        timeouts = {s: 0 for s in present}
        for name in names:
            base = get(size, "kgraph-memory", "query", name=name)
            bms = float(base["median_ms"]) if base and base.get("status") == "ok" else None
            cells = []
            for system in present:
                q = get(size, system, "query", name=name)
                if not q:
                    cells.append("–")
                    continue
                if q.get("status") != "ok":
                    cells.append(q.get("status", "?"))
                    timeouts[system] += q.get("status") == "timeout"
                    gm[system].append(30000.0)
                    continue
                ms = float(q["median_ms"])
                gm[system].append(ms)
                cell = fnum(ms, 2)
                if system == "redland" and ms < 10:
                    # within the noise of roqet's own data parse
                    cells.append("< 10")
                    continue
                if base and q.get("rows") != base.get("rows"):
                    mismatches.append(f"{SIZES[size]} {name}: {system} "
                                      f"{q.get('rows')} rows, kgraph "
                                      f"{base.get('rows')}")
                if system not in ("kgraph-memory",) and bms:
                    cell += f" ({ms / max(bms, 0.001):.1f}×)"
                cells.append(cell)
            rows_n = base.get("rows", "?") if base else "?"
            lines.append(f"| {name[:-3]} | {rows_n} | " + " | ".join(cells) + " |")
        lines.append("| geometric mean (timeouts as 30 s) | | " + " | ".join(
            fnum(geomean(gm[s]), 2) if gm[s] else "–" for s in present) + " |")
        lines.append("| timeouts | | " + " | ".join(
            str(timeouts[s]) for s in present) + " |")
        lines.append("")
    lines += ["Redland's query times are roqet runs minus a roqet run of an "
              "empty query over the same data (roqet parses the data on every "
              "run), one run each; below 10 ms that difference is noise.", ""]
    if mismatches:
        lines += ["Row counts that differ from kgraph's:", ""]
        lines += [f"- {m}" for m in mismatches] + [""]
    else:
        lines += ["Every system that answered a query returned the same number "
                  "of rows as kgraph.", ""]
    with open(out, "w", encoding="utf-8") as fh:
        fh.write("\n".join(lines))


if __name__ == "__main__":
    main()
