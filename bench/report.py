"""Turn bench/run.sh's measurements into bench/RESULTS.md.

    python3 report.py RAW RESULTS.md [CHART_DIR]

CHART_DIR, when given, receives the tables bench/chart.gp draws.

RAW holds one measurement a line: "SIZE SYSTEM KIND key=value ...".
"""

import json
import math
import os
import platform
import subprocess
import sys
import time

SIZES = {"s": "8.5k", "m": "100k", "l": "1M", "xl": "10M"}
PEERS = ["redland", "oxigraph", "jena"]
SYSTEMS = ["kgraph-memory", "kgraph-lmdb"] + PEERS
# what is known of a peer's failure, by a piece of its error message
JAVA_HEAP = os.environ.get("KG_BENCH_JAVA_HEAP", "12g")
CAUSES = {
    ("oxigraph", "unreachable"):
        " (the npm package runs Oxigraph as 32-bit WebAssembly, whose memory "
        "cannot grow past 4 GiB; the store at 1M already took 1.3 GB RSS)",
    ("redland", "Cannot add statement"):
        " (librdf's memory hash keeps its key count and capacity in `int` "
        "and tests its load factor as `1000 * keys < 750 * capacity`: past "
        "about 1.6 million keys in one hash the products overflow and "
        "the table doubles again and again (8 GB of buckets at 2^30) until "
        "its capacity overflows and the allocation fails; the `hashes` storage in memory therefore "
        "holds 1M triples, not 3M or 10M)",
}


def parse(path):
    rows = []
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            parts = line.split()
            if len(parts) < 3:
                continue
            kv = {}
            for i, p in enumerate(parts[3:]):
                if p.startswith("reason="):
                    # the rest of the line is the reason, spaces and all
                    kv["reason"] = " ".join([p[7:]] + parts[4 + i:])
                    break
                if "=" in p:
                    k, v = p.split("=", 1)
                    kv[k] = v
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


def machine(end):
    """The machine; END holds the load average and time at the run's end
    (from RAW's "run machine end" line), or is empty."""
    load = end.get("loadavg", "").replace(",", " ") or " ".join(
        f"{x:.1f}" for x in os.getloadavg())
    cpu = sh("lscpu | sed -n 's/^Model name: *//p' | head -1")
    mem = sh("free -g | awk '/^Mem:/ {print $2}'")
    osname = sh(". /etc/os-release && echo $PRETTY_NAME")
    return [
        f"- CPU: {cpu or platform.processor()}, {os.cpu_count()} cores; "
        f"memory {mem} GiB; {osname}, Linux {platform.release()}",
        f"- load average at the end of the run: {load} (other work ran on "
        "the machine throughout and slows the wall-clock figures unevenly; "
        "CPU times suffer less)",
        f"- serdi {sh('serdi -v 2>&1 | head -1') or '?'}; "
        f"roqet {sh('roqet -v') or '?'}; rdfproc {sh('rdfproc -v') or '?'}; "
        f"node {sh('node --version') or '-'}; "
        f"oxigraph {oxigraph_version()}; "
        f"java {sh('java -version 2>&1 | head -1') or '-'}",
        f"- written {end.get('written', time.strftime('%Y-%m-%d %H:%M'))}",
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
    chart_dir = sys.argv[3] if len(sys.argv) > 3 else None
    rows = parse(raw)
    sizes = [s for s in SIZES if any(r[0] == s and r[1] == "data" and
                                     r[2] == "info" for r in rows)]
    data = {r[0]: r[3] for r in rows if r[1] == "data" and r[2] == "info"}

    def get(size, system, kind, **match):
        for r in rows:
            if r[0] == size and r[1] == system and r[2] == kind and all(
                    r[3].get(k) == v for k, v in match.items()):
                return r[3]
        return None

    def ntriples(size):
        return int(data.get(size, {}).get("triples", "0") or 0)

    # peers not measured at a size, and why
    notes = {}
    for r in rows:
        if r[2] in ("skipped", "failed"):
            reason = r[3].get("reason", "?")
            why = next((v for k, v in CAUSES.items()
                        if k[0] == r[1] and k[1] in reason), "")
            # how far it got: its failed load's or process's time and RSS
            got = next((x for x in rows if x[0] == r[0] and x[1] == r[1] and
                        x[2] in ("load", "process") and
                        x[3].get("status") not in (None, "0", "ok") and
                        x[3].get("rss_kb")), None)
            if got:
                secs = got[3].get("seconds") or got[3].get("wall")
                reason += (f", after {float(secs):.0f} s at "
                           f"{int(got[3]['rss_kb']) / 1e6:.1f} GB RSS")
            notes.setdefault(r[0], []).append(
                f"{r[1]} {r[2]}: {reason}{why}")

    gen_sizes = [s for s in sizes if data.get(s, {}).get("source") == "lubmgen"]
    lines = ["# kgraph benchmark results", "",
             "Written by `bench/run.sh` (rerun it to refresh this file and "
             "`bench/chart.png`; the measurements are in "
             "`bench/raw-results.txt`). LUBM data: 8.5k, 100k and 1M from "
             "UBA 1.7 in `../shared/bench`" +
             ("; " + ", ".join(SIZES[s] for s in gen_sizes) +
              " from the project's generator `bench/lubmgen.c` "
              "(`lubmgen -u 80 -s 0`)" if gen_sizes else "") +
             ". Queries in `bench/queries/` (the 14 LUBM queries rewritten "
             "without inference, then operator queries). Query times are the "
             "median of the warm runs (5, fewer once they pass 60 s) after one "
             "cold run, in milliseconds; 30 s per query.", "", "## Machine", ""]
    lines += machine(next((r[3] for r in rows if r[0] == "run" and
                           r[1] == "machine" and r[2] == "end"), {}))
    la = []
    for size in sizes:
        b = get(size, "machine", "loadavg")
        before = next((r[3].get("before") for r in rows if r[0] == size and
                       r[1] == "machine" and "before" in r[3]), None)
        after = next((r[3].get("after") for r in rows if r[0] == size and
                      r[1] == "machine" and "after" in r[3]), None)
        if b:
            la.append(f"{SIZES[size]}: {(before or '?').replace(',', ' ')} "
                      f"before, {(after or '?').replace(',', ' ')} after")
    if la:
        lines.append("- load average (1, 5, 15 min) around each size: " +
                     "; ".join(la))

    # ---- peers ----
    lines += ["", "## Peers", "",
              "serdi: parse only (`serdi -i ntriples -o ntriples`, best of "
              "3). Redland: `rdfproc` loading into its `hashes` storage in "
              "memory; `roqet` for the queries at 8.5k and 100k. Oxigraph: "
              "the npm package `oxigraph` on node, in-memory store. Jena: "
              "Debian's `libapache-jena-java` 4.5 on OpenJDK 17, an "
              f"in-memory transactional dataset (`-Xmx` {JAVA_HEAP}; the "
              "JVM lets its heap grow toward that before collecting, so its "
              "RSS is well above its live data).", "",
              "Debian's Jena 4.5 does not start as packaged: the first use "
              "of the XSD datatypes throws `ExceptionInInitializerError` "
              "caused by `RuntimeException: internal error` at "
              "`xerces.impl.dv.xs.XSSimpleTypeDecl.applyFacets1`. Its "
              "`jena-core.jar` holds Jena's copy of Xerces moved to the "
              "package `xerces`, but the copy's message bundles are still "
              "under `org/apache/jena/ext/xerces/`; the regular-expression "
              "parser's constructor loads `xerces.impl.xpath.regex.message`, "
              "fails (\"Can't find bundle for base name "
              "xerces.impl.xpath.regex.message\"), and every `pattern` facet "
              "of the built-in types with it. `bench/run.sh` copies the "
              "bundles out of the same jar under the name the classes look "
              "for and puts them on the classpath: with that, Jena runs from "
              "Debian packages alone."]

    # ---- loading ----
    lines += ["", "## Loading", "",
              "Ratios are to kgraph in memory: a peer's load rate over "
              "kgraph's (below 1: slower), its peak RSS over kgraph's. "
              "Seconds and rates are wall-clock; CPU s is the load's CPU "
              "time where it can be told apart from the queries' (serdi, "
              "kgraph, rdfproc), the better measure when other work "
              "competes for the two cores.", "",
              "| data | system | seconds | CPU s | triples/s | × serdi rate | × kgraph rate | peak RSS MB | × kgraph RSS | bytes/triple (RSS) |",
              "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    load_cpu = {}  # (size, system) -> CPU seconds of the load
    load = {}  # (size, system) -> (rate, rss_kb)
    for size in sizes:
        n = ntriples(size)
        serdi = get(size, "serdi", "load")
        srate = float(serdi["rate"]) if serdi else None
        entries = []
        if serdi:
            entries.append(("serdi (parse only)", float(serdi["seconds"]), None))
            load_cpu[(size, "serdi (parse only)")] = float(serdi["cpu"])
        for system in ["kgraph-memory", "kgraph-lmdb", "redland", "oxigraph", "jena"]:
            ld = get(size, system, "load")
            if not ld or "seconds" not in ld or ld.get("status") == "failed":
                continue
            rss = ld.get("rss_kb")
            proc = get(size, system, "process")
            if system in ("oxigraph", "jena") and proc:
                rss = proc.get("rss_kb")
            if "cpu" in ld:
                load_cpu[(size, system)] = float(ld["cpu"])
            entries.append((system, float(ld["seconds"]),
                            int(rss) if rss else None))
        for system, secs, rss in entries:
            load[(size, system)] = (n / secs if secs > 0 else None, rss)
        base_rate, base_rss = load.get((size, "kgraph-memory"), (None, None))
        for system, secs, rss in entries:
            rate = n / secs if secs > 0 else None
            ratio = rate / srate if rate and srate else None
            kr = rate / base_rate if rate and base_rate else None
            krss = rss / base_rss if rss and base_rss else None
            per = rss * 1024 / n if rss and n else None
            lines.append(
                f"| {SIZES[size]} | {system} | {secs:.3f} | "
                f"{fnum(load_cpu.get((size, system)), 2)} | {fnum(rate)} | "
                f"{fnum(ratio, 2) if ratio else '–'} | "
                f"{fnum(kr, 2) if kr and system != 'kgraph-memory' else '–'} | "
                f"{fnum(rss / 1024) if rss else '–'} | "
                f"{fnum(krss, 1) if krss and system != 'kgraph-memory' else '–'} | "
                f"{fnum(per)} |")
    lines += ["", "On disk (LMDB): " + "; ".join(
        f"{SIZES[s]}: {int(get(s, 'kgraph-lmdb', 'load')['file_bytes']) / 1e6:.1f} MB, "
        f"{int(get(s, 'kgraph-lmdb', 'load')['file_bytes']) / int(data[s]['bytes']):.2f}× "
        f"the N-Triples file"
        for s in sizes if get(s, "kgraph-lmdb", "load") and s in data) + "."]
    for size in sizes:
        for note in notes.get(size, []):
            lines += ["", f"Not measured at {SIZES[size]}: {note}."]

    # ---- start-up ----
    start = {r[1]: float(r[3]["seconds"]) for r in rows
             if r[0] == "startup" and r[2] == "query"}
    start_cpu = {r[1]: float(r[3]["seconds"]) for r in rows
                 if r[0] == "startup" and r[2] == "query-cpu"}
    if start:
        lines += ["", "## Start-up", "",
                  "Starting the CLI and answering one query (COUNT of every "
                  "statement) over the article graph, wall-clock median of 21 "
                  "runs: " +
                  "; ".join(f"{k}: {v * 1e3:.0f} ms" for k, v in start.items()) +
                  "."]
        if start_cpu:
            lines[-1] += (
                " CPU time (user + system) per run, over 21 runs in a row, "
                "which other work on the machine disturbs far less: " +
                "; ".join(f"{k}: {v * 1e3:.1f} ms" for k, v in start_cpu.items()) +
                ".")
        lines[-1] += (" kgraph parses the article's TriG and ontology and "
                      "computes their RDFS closure on each start; roqet reads "
                      "the TriG only.")

    # ---- lookups ----
    look = [r for r in rows if r[2] == "lookup" and r[0] in SIZES]
    if look:
        lines += ["", "## Single-pattern lookups (kgraph in memory, CPU time)", "",
                  "match = open a cursor and read the first quad; count = exact count.", "",
                  "| data | shape | match ns | count ns |", "|---|---|---:|---:|"]
        for r in look:
            lines.append(f"| {SIZES[r[0]]} | `{r[3]['shape']}` | "
                         f"{r[3]['match_first_ns']} | {r[3]['count_ns']} |")

    # ---- queries ----
    mismatches = []
    geo = {}  # (size, system) -> geometric mean ms
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
                cell = fnum(ms, 2)
                if system == "redland" and ms < 10:
                    # within the noise of roqet's own data parse: its mean
                    # takes the bound
                    gm[system].append(10.0)
                    cells.append("< 10")
                    continue
                gm[system].append(ms)
                if base and q.get("rows") != base.get("rows"):
                    mismatches.append(f"{SIZES[size]} {name}: {system} "
                                      f"{q.get('rows')} rows, kgraph "
                                      f"{base.get('rows')}")
                if system not in ("kgraph-memory",) and bms:
                    cell += f" ({ms / max(bms, 0.001):.1f}×)"
                cells.append(cell)
            rows_n = base.get("rows", "?") if base else "?"
            lines.append(f"| {name[:-3]} | {rows_n} | " + " | ".join(cells) + " |")
        for s in present:
            # only a full set of answers makes a comparable mean
            if len(gm[s]) == len(names):
                geo[(size, s)] = geomean(gm[s])
        base_gm = geo.get((size, "kgraph-memory"))
        lines.append("| geometric mean (timeouts as 30 s, Redland's < 10 as 10) | | " + " | ".join(
            (fnum(geomean(gm[s]), 2) +
             (f" ({geomean(gm[s]) / base_gm:.1f}×)"
              if base_gm and s != "kgraph-memory" else ""))
            if gm[s] else "–" for s in present) + " |")
        lines.append("| timeouts | | " + " | ".join(
            str(timeouts[s]) for s in present) + " |")
        lines.append("")
        if notes.get(size):
            lines += [f"Not measured at {SIZES[size]}: " + ", ".join(
                n.split(" ")[0] for n in notes[size]) + " (see Loading).", ""]
        if "redland" not in present and get(size, "redland", "load"):
            lines += [f"roqet does not run the queries at {SIZES[size]}: it "
                      "parses the data on every run, which alone takes most "
                      "of a query's 30 s at 1M triples.", ""]
    lines += ["Redland's query times are roqet runs minus a roqet run of an "
              "empty query over the same data (roqet parses the data on every "
              "run), one run each; below 10 ms that difference is noise.", ""]
    if mismatches:
        lines += ["Row counts that differ from kgraph's:", ""]
        lines += [f"- {m}" for m in mismatches] + [""]
    else:
        lines += ["Every system that answered a query returned the same number "
                  "of rows as kgraph.", ""]

    # ---- scaling ----
    lines += scaling(rows, sizes, ntriples, load, load_cpu, geo, look)

    # ---- the generator ----
    lines += generator(rows, get)

    with open(out, "w", encoding="utf-8") as fh:
        fh.write("\n".join(lines))
    if chart_dir:
        write_chart(chart_dir, sizes, ntriples, load, load_cpu, geo, look)


def scaling(rows, sizes, ntriples, load, load_cpu, geo, look):
    """How kgraph's costs grow from the smallest size to the largest."""
    if len(sizes) < 2:
        return []
    a, b = sizes[0], sizes[-1]
    na, nb = ntriples(a), ntriples(b)
    if not na or not nb:
        return []
    grow = nb / na
    out = ["## Scaling", "",
           f"From {SIZES[a]} to {SIZES[b]} triples the data grows "
           f"{grow:,.0f}×. Linear cost means a constant load rate and a "
           f"total load time {grow:,.0f}× longer; an index lookup in a "
           f"sorted index should cost about log n, here "
           f"{math.log2(nb) / math.log2(na):.1f}× more.", ""]
    for system in ("kgraph-memory", "kgraph-lmdb"):
        ra = load.get((a, system), (None,))[0]
        rb = load.get((b, system), (None,))[0]
        mid = [f"{SIZES[s]} {fnum(load[(s, system)][0])}" for s in sizes
               if load.get((s, system), (None,))[0]]
        if ra and rb:
            line = (f"- {system} load, wall-clock: " + ", ".join(mid) +
                    f" triples/s; load time grew {grow * ra / rb:,.0f}× for "
                    f"{grow:,.0f}× the data (time per triple "
                    f"{ra / rb:.2f}× that at {SIZES[a]})")
            cpu = [(s, ntriples(s) / load_cpu[(s, system)]) for s in sizes
                   if load_cpu.get((s, system))]
            if len(cpu) >= 2:
                (s0, c0), (s1, c1) = cpu[0], cpu[-1]
                line += (". In CPU time: " + ", ".join(
                    f"{SIZES[s]} {fnum(c)}" for s, c in cpu) +
                    f" triples/s, time per triple {SIZES[s1]} / {SIZES[s0]}: "
                    f"{c0 / c1:.2f}×")
            out.append(line + ".")
    shapes = {}
    for r in look:
        shapes.setdefault(r[3]["shape"], {})[r[0]] = float(r[3]["match_first_ns"])
    ratios = [v[b] / v[a] for v in shapes.values() if a in v and b in v]
    if ratios:
        out.append(
            f"- kgraph single-pattern lookups (match and first quad, 7 "
            f"shapes): {min(ratios):.1f}× to {max(ratios):.1f}× the "
            f"{SIZES[a]} cost at {SIZES[b]} (" + ", ".join(
                f"`{k}` {fnum(v[a], 0)} → {fnum(v[b], 0)} ns"
                for k, v in shapes.items() if a in v and b in v) + ").")
    verdict = []
    for system, where in (("kgraph-memory", "in memory"),
                          ("kgraph-lmdb", "on LMDB")):
        cpu = [(s, load_cpu[(s, system)] / ntriples(s)) for s in sizes
               if load_cpu.get((s, system))]
        if len(cpu) < 2:
            continue
        last = cpu[-1][1]
        best = min(c for _, c in cpu)
        verdict.append(
            f"load CPU time per triple {where} " + ", ".join(
                f"{SIZES[s]} {c * 1e6:.2f} µs" for s, c in cpu) +
            f": the largest load costs {last / cpu[0][1]:.2f}× per triple "
            f"what the smallest does and {last / best:.2f}× the cheapest "
            + ("(linear)" if last / best <= 1.5 else "(worse than linear)"))
    if ratios:
        verdict.append(
            f"one lookup costs at most {max(ratios):.1f}× more for "
            f"{grow:,.0f}× the data (far below linear; above log n "
            "as the indexes outgrow the CPU caches: 36 bytes a triple, "
            "36 MB at 1M, 365 MB at 10M)")
    for system in ("kgraph-memory", "kgraph-lmdb"):
        ga, gb = geo.get((a, system)), geo.get((b, system))
        if ga and gb:
            times = {}
            for r in rows:
                if (r[0] in (a, b) and r[1] == system and r[2] == "query"
                        and r[3].get("status") == "ok"):
                    times.setdefault(r[3]["name"][:-3], {})[r[0]] = \
                        float(r[3]["median_ms"])
            flat = [n for n, t in sorted(times.items())
                    if a in t and b in t and t[b] < 3 * max(t[a], 0.01)]
            out.append(f"- {system} query mix, geometric mean: "
                       f"{fnum(ga, 2)} ms → {fnum(gb, 2)} ms "
                       f"({gb / ga:,.0f}×); within 3× of their {SIZES[a]} "
                       f"time at {SIZES[b]}: {', '.join(flat) or 'none'}.")
    if verdict:
        out += ["", "So: " + "; ".join(verdict) + "."]
    return out + [""]


def generator(rows, get):
    """lubmgen's 8 universities beside UBA's lubm-l."""
    uba = {r[3]["key"]: int(r[3]["n"]) for r in rows
           if r[0] == "l" and r[2] == "stats" and r[3].get("source") == "uba"}
    gen = {r[3]["key"]: int(r[3]["n"]) for r in rows
           if r[0] == "l" and r[2] == "stats" and r[3].get("source") == "gen"}
    if not uba or not gen:
        return []
    tu, tg = sum(v for k, v in uba.items() if not k.startswith("a:")), \
        sum(v for k, v in gen.items() if not k.startswith("a:"))
    worst = max(abs(gen.get(k, 0) - v) / v for k, v in uba.items())
    out = ["## The generator", "",
           "`bench/lubmgen.c` writes N-Triples with the univ-bench schema, "
           "predicates and IRI shapes of UBA's output (universities, 15–25 "
           "departments each, professors of four ranks, lecturers, "
           "undergraduate and graduate students, courses, publications, "
           "research groups), at UBA's ratios, deterministically from a seed "
           "(`lubmgen -u UNIVERSITIES -s SEED`; about 125,000 triples a "
           "university). Its 8 universities against UBA's universities 0–7 "
           f"(`lubm-l`): {tg:,} triples against {tu:,} "
           f"({(tg - tu) / tu * 100:+.1f}%); every class and predicate count "
           f"within {worst * 100:.1f}%:", "",
           "| class (a:) or predicate | UBA 1M | lubmgen -u 8 | difference |",
           "|---|---:|---:|---:|"]
    for k in sorted(uba, key=lambda k: (not k.startswith("a:"), k)):
        g = gen.get(k, 0)
        out.append(f"| {k} | {uba[k]:,} | {g:,} | "
                   f"{(g - uba[k]) / uba[k] * 100:+.1f}% |")
    names = sorted({r[3]["name"] for r in rows
                    if r[0] == "gen8" and r[2] == "query"})
    if names:
        out += ["", "Answers (rows) of the query mix over both, by kgraph in "
                "memory:", "", "| query | UBA 1M | lubmgen -u 8 |",
                "|---|---:|---:|"]
        for name in names:
            u = get("l", "kgraph-memory", "query", name=name)
            g = get("gen8", "kgraph-memory", "query", name=name)
            out.append(f"| {name[:-3]} | {u.get('rows', '–') if u else '–'} | "
                       f"{g.get('rows', '–') if g else '–'} |")
    return out + [""]


def write_chart(chart_dir, sizes, ntriples, load, load_cpu, geo, look):
    """Tables for bench/chart.gp: one row per size, one column per system."""
    os.makedirs(chart_dir, exist_ok=True)
    systems = ["kgraph-memory", "kgraph-lmdb", "redland", "oxigraph", "jena"]

    def table(name, columns, value):
        with open(os.path.join(chart_dir, name), "w", encoding="utf-8") as fh:
            fh.write("triples " + " ".join(columns) + "\n")
            for s in sizes:
                fh.write(f"{ntriples(s)} " + " ".join(
                    (f"{v:.6g}" if (v := value(s, c)) else "NaN")
                    for c in columns) + "\n")

    def load_rate(s, c):
        if c == "kgraph-lmdb(CPU)":
            secs = load_cpu.get((s, "kgraph-lmdb"))
            return ntriples(s) / secs if secs else None
        name = "serdi (parse only)" if c == "serdi" else c
        return load.get((s, name), (None,))[0]

    table("load.dat", ["serdi"] + systems + ["kgraph-lmdb(CPU)"], load_rate)
    table("query.dat", systems, lambda s, c: geo.get((s, c)))
    shapes = sorted({r[3]["shape"] for r in look})
    byshape = {(r[0], r[3]["shape"]): float(r[3]["match_first_ns"]) for r in look}
    table("lookup.dat", shapes,
          lambda s, c: byshape.get((s, c)))


if __name__ == "__main__":
    main()
