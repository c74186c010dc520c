#!/usr/bin/env python3
"""The TCCG benchmark: the 24 tensor contractions of Springer and
Bientinesi's GETT paper ("Design of a high-performance GEMM-like
tensor-tensor multiplication", the tccg repository's benchmark/benchmark.py:
9 ccsd, 8 intensli, 3 ao2mo and 4 ccsd(t) contractions), this project's JIT
side by side with NumPy einsum(optimize=True) and torch.einsum, and with the
same run's OpenBLAS SGEMM 1024^3 (its fastest kernel for the target) as the
"GEMM speed" line.

TCCG writes a contraction column-major as C-A-B ("ij-ik-kj": C[i,j] =
sum_k A[i,k] B[k,j], i stride 1); reversing every index string gives the
row-major einsum with the same memory layout ("ki,jk->ji"). Sizes follow
TCCG's rule: every index near (budget / 4 bytes)^(1/d), d the largest rank
of the three tensors, so the largest tensor is near --budget bytes; an index
that is stride 1 in some tensor is rounded up to a multiple of 24, the
others to the nearest multiple of 4; the intensli cases fix j = 24.

f32; --threads 1,2 by default; --target avx2 runs every participant as on
an AVX2 CPU (bench/benchlib.py). Each figure is the median of repeated
runs, best of --rounds interleaved rounds. Prints GFLOP/s per case with our
ratio to the best peer and to the SGEMM line, then the issue's targets;
writes tccg.csv, tccg.json, tccg.md and tccg.png.

Usage:
    bench/tccg.py [--build DIR] [--cases ccsd1,ao2mo2,...] [--threads 1,2]
                  [--rounds 2] [--budget MiB] [--target host|avx2] [--out DIR]
                  [--list]
"""

import argparse
import csv
import json
import math
import os
import sys

from benchlib import (ROOT, TARGETS, choose_coretype, cpu_name, geomean,
                      keep_best, machine_limits, print_targets, pyplot, run_ours,
                      run_peers, targets_markdown)

# (group, TCCG's C-A-B string), in the order of TCCG's benchmark script.
TCCG = [("ccsd", tc) for tc in [
    "ij-ik-kj", "ij-ikl-ljk", "ij-kil-lkj", "ijk-ikl-lj", "ijk-ilk-jl",
    "ijk-ilmk-mjl", "ijkl-imjn-lnkm", "ijkl-imjn-nlmk", "ijkl-minl-njmk"]] + [
    ("intensli", tc) for tc in [
        "abj-bka-kj", "ajb-kba-jk", "abjc-cbka-kj", "ajbc-ckba-jk",
        "abjc-kbac-jk", "abjcd-dkbac-jk", "adbjc-cbdka-kj", "ajbdc-ckbad-jk"]] + [
    ("ao2mo", tc) for tc in ["aqrs-pa-pqrs", "abrs-qb-aqrs", "abcs-rc-abrs"]] + [
    ("ccsd(t)", tc) for tc in [
        "abcijk-ijma-mkbc", "abcijk-ijmb-mkac", "abcijk-ijmc-mkab",
        "abcijk-ikmb-mjac"]]

FIXED = {"intensli": {"j": 24}}
STRIDE1_MULTIPLE, MULTIPLE = 24, 4


def case_id(group, index):
    return group.replace("(t)", "t") + str(index)


def einsum_of(tc):
    """The row-major einsum of a column-major TCCG string."""
    c, a, b = tc.split("-")
    return f"{a[::-1]},{b[::-1]}->{c[::-1]}"


def sizes_of(group, tc, budget_bytes):
    """Index sizes by TCCG's rule (benchmark.py's generate())."""
    tensors = tc.split("-")
    average = (budget_bytes / 4) ** (1 / max(map(len, tensors)))
    sizes = dict(FIXED.get(group, {}))
    for index in sorted(set(tc) - {"-"}):
        if index in sizes:
            continue
        if any(t[0] == index for t in tensors):  # stride 1 somewhere
            sizes[index] = math.ceil(average / STRIDE1_MULTIPLE) * STRIDE1_MULTIPLE
            continue
        up = math.ceil(average / MULTIPLE) * MULTIPLE
        down = max(MULTIPLE, int(average / MULTIPLE) * MULTIPLE)
        sizes[index] = up if abs(average - up) < abs(average - down) else down
    return sizes


def cases(budget_bytes, wanted=None):
    """[(id, group, tc, einsum, shapes, flops)]"""
    result, counters = [], {}
    for group, tc in TCCG:
        counters[group] = counters.get(group, 0) + 1
        cid = case_id(group, counters[group])
        if wanted and cid not in wanted:
            continue
        sizes = sizes_of(group, tc, budget_bytes)
        spec = einsum_of(tc)
        shapes = [[sizes[i] for i in term] for term in spec.split("->")[0].split(",")]
        result.append((cid, group, tc, spec, shapes, 2 * math.prod(sizes.values())))
    return result


def check_targets(rows):
    """The issue's done-when list for the TCCG suite: (text, value, met?)."""
    checks = []

    def check(text, value, ok, fmt="{:.2f}"):
        checks.append((text, "n/a" if value is None else fmt.format(value),
                       None if value is None else bool(ok)))

    one = [r for r in rows if r["threads"] == 1 and "ours" in r]
    worst = min((r["ratio_peer"] for r in one if "ratio_peer" in r), default=None)
    check("1 thread, every case >= 1.0x the best of numpy-opt and torch (worst)",
          worst, worst and worst >= 1.0)
    v = geomean([r["ratio_sgemm"] for r in one])
    check("1 thread, geomean >= 0.75x the SGEMM line", v, v and v >= 0.75)
    worst = min((r["ratio_sgemm"] for r in one), default=None)
    check("1 thread, every case >= 0.5x the SGEMM line (worst)", worst,
          worst and worst >= 0.5)
    worst = min((r["ratio_sgemm"] for r in one if r["group"] == "ccsd"), default=None)
    check("1 thread, ccsd cases >= 0.85x the SGEMM line (worst)", worst,
          worst and worst >= 0.85)
    by = {(r["case"], r["threads"]): r for r in rows if "ours" in r}
    v = geomean([by[c, 2]["ours"] / by[c, 1]["ours"]
                 for c, t in by if t == 1 and (c, 2) in by])
    check("2 threads, geomean >= 1.7x the 1-thread speed", v, v and v >= 1.7)
    return checks


def write_markdown(path, rows, sgemm, peak, checks, args):
    def f(row, key):
        return f"{row[key]:.1f}" if key in row else "–"
    lines = [f"Machine: {cpu_name()}, {os.cpu_count()} cores; target {args.target}; "
             f"single-core f32 FMA peak {peak or float('nan'):.0f} GFLOP/s. "
             f"Largest tensor near {args.budget} MiB (TCCG's size rule), f32. "
             f"SGEMM line: OpenBLAS SGEMM 1024^3, its fastest kernel, "
             + ", ".join(f"{t} thread(s) {v:.1f} GFLOP/s" for t, v in sorted(sgemm.items()))
             + f". Each figure: the median of repeated runs, best of {args.rounds} "
             f"interleaved rounds.", "",
             "| case | TCCG | einsum | threads | ours | np.einsum(opt) | torch.einsum "
             "| ours / best peer | ours / SGEMM |",
             "|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        if "ours" not in r:
            lines.append(f"| {r['case']} | `{r['tccg']}` | `{r['spec']}` | "
                         f"{r['threads']} | error | | | | |")
            continue
        lines.append(f"| {r['case']} | `{r['tccg']}` | `{r['spec']}` | {r['threads']} "
                     f"| {f(r, 'ours')} | {f(r, 'numpy_opt')} | {f(r, 'torch')} "
                     f"| {r.get('ratio_peer', float('nan')):.2f} "
                     f"| {r['ratio_sgemm']:.2f} |")
    lines += targets_markdown(checks)
    with open(path, "w") as fp:
        fp.write("\n".join(lines) + "\n")


def draw_chart(rows, path, target):
    """Ours, numpy-opt and torch per case as a fraction of the SGEMM line."""
    plt = pyplot()
    if not plt:
        return
    one = [r for r in rows if r["threads"] == 1 and "sgemm" in r]
    fig, ax = plt.subplots(figsize=(13, 4))
    width = 0.27
    for i, (key, label) in enumerate([("ours", "einsum-mlir"),
                                      ("numpy_opt", "np.einsum(optimize=True)"),
                                      ("torch", "torch.einsum")]):
        ax.bar([x + i * width for x in range(len(one))],
               [r.get(key, 0) / r["sgemm"] for r in one], width, label=label)
    ax.axhline(1.0, color="black", linewidth=0.8)
    ax.set_xticks([x + width for x in range(len(one))])
    ax.set_xticklabels([r["case"] for r in one], rotation=45, ha="right")
    ax.set_ylabel("GFLOP/s / OpenBLAS SGEMM 1024^3")
    ax.set_title(f"TCCG contractions, f32, 1 thread, target {target}")
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=120)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build", default=os.path.join(ROOT, "build"))
    parser.add_argument("--cases", help="comma-separated case ids (default all; see --list)")
    parser.add_argument("--threads", default="1,2")
    parser.add_argument("--rounds", type=int, default=2,
                        help="times the suite runs; each figure is its best round")
    parser.add_argument("--budget", type=float, default=16,
                        help="size of the largest tensor in MiB (default 16)")
    parser.add_argument("--target", choices=sorted(TARGETS), default="host")
    parser.add_argument("--out", help="directory for the results (default "
                        "BUILD/bench, BUILD/bench-avx2 for --target avx2)")
    parser.add_argument("--list", action="store_true",
                        help="print the cases with their sizes and exit")
    args = parser.parse_args()
    wanted = set(args.cases.split(",")) if args.cases else None
    suite = cases(args.budget * 2**20, wanted)
    if args.list:
        for cid, group, tc, spec, shapes, flops in suite:
            print(f"{cid:10} {tc:18} {spec:22} "
                  f"{','.join('x'.join(map(str, s)) for s in shapes):28} "
                  f"{flops / 1e9:6.2f} GFLOP")
        return 0
    out_dir = args.out or os.path.join(
        args.build, "bench" if args.target == "host" else "bench-" + args.target)
    os.makedirs(out_dir, exist_ok=True)
    thread_counts = [int(t) for t in args.threads.split(",")]

    gemm_case = {"numpy_spec": "ik,kj->ij", "shapes": [[1024, 1024]] * 2,
                 "form": "gemm", "iterations": 1024**3, "only_openblas": True}
    coretypes = {t: choose_coretype(gemm_case, t, args.target) for t in thread_counts}
    best, sgemm_best, peak = {}, {}, None
    for round_ in range(1, args.rounds + 1):
        print(f"round {round_} of {args.rounds}", flush=True)
        peak = max(filter(None, [peak, machine_limits(args.target)[0]]), default=None)
        for threads in thread_counts:
            result = run_peers(gemm_case, threads, coretypes[threads], args.target)
            if "openblas" in result:
                sgemm_best[threads] = min(sgemm_best.get(threads, math.inf),
                                          result["openblas"])
            for cid, group, tc, spec, shapes, flops in suite:
                case = {"numpy_spec": spec, "shapes": shapes, "form": None,
                        "iterations": flops / 2, "no_noopt": True}
                # OpenBLAS (inside NumPy's tensordot and torch) with the
                # target's kernel: AVX2 for avx2 even on an AVX-512 CPU.
                peers = run_peers(case, threads, TARGETS[args.target]["coretypes"][0],
                                  args.target)
                ours, error = run_ours(args.build, spec, shapes, threads, args.target)
                keep_best(best.setdefault((cid, threads), {}), peers, ours, error)
    sgemm = {t: 2 * 1024**3 / s / 1e9 for t, s in sgemm_best.items()}
    print(f"machine: single-core f32 FMA peak {peak or float('nan'):.1f} GFLOP/s; "
          "SGEMM line: " + ", ".join(f"{t} thread(s) {v:.1f} GFLOP/s"
                                     for t, v in sorted(sgemm.items())))

    rows = []
    for threads in thread_counts:
        for cid, group, tc, spec, shapes, flops in suite:
            kept = best[cid, threads]
            row = {"case": cid, "group": group, "tccg": tc, "spec": spec,
                   "shapes": "x".join(map(str, shapes[0])) + "," +
                   "x".join(map(str, shapes[1])), "threads": threads}
            if threads in sgemm:
                row["sgemm"] = sgemm[threads]
            for peer in ["numpy_opt", "torch"]:
                if peer in kept:
                    row[peer] = flops / kept[peer] / 1e9
            if "ours" in kept:
                row["ours"] = flops / (kept["ours"]["median_ms"] * 1e-3) / 1e9
                row["ours_best"] = flops / (kept["ours_min_ms"] * 1e-3) / 1e9
                row["compile_ms"] = kept["ours"]["compile_ms"]
                peers = [row[p] for p in ["numpy_opt", "torch"] if p in row]
                if peers:
                    row["ratio_peer"] = row["ours"] / max(peers)
                if "sgemm" in row:
                    row["ratio_sgemm"] = row["ours"] / row["sgemm"]
            else:
                row["error"] = kept.get("error")
            rows.append(row)

            def f(key):
                return f"{row[key]:7.1f}" if key in row else "    n/a"
            print(f"{cid:10} x{threads} ours {f('ours')} | np.einsum(opt) "
                  f"{f('numpy_opt')} torch {f('torch')} | / best peer "
                  f"{row.get('ratio_peer', float('nan')):5.2f} / SGEMM "
                  f"{row.get('ratio_sgemm', float('nan')):5.2f}  {spec}", flush=True)

    checks = check_targets(rows)
    print_targets(f"targets (TCCG suite, target {args.target}):", checks)
    with open(os.path.join(out_dir, "tccg.json"), "w") as fp:
        json.dump({"target": args.target, "budget_mib": args.budget,
                   "peak_gflops": peak, "sgemm_gflops": sgemm,
                   "rounds": args.rounds, "rows": rows,
                   "targets": [{"target": t, "value": v, "met": ok}
                               for t, v, ok in checks]}, fp, indent=1)
    write_markdown(os.path.join(out_dir, "tccg.md"), rows, sgemm, peak, checks, args)
    fields = ["case", "group", "tccg", "spec", "shapes", "threads", "ours",
              "numpy_opt", "torch", "sgemm", "ratio_peer", "ratio_sgemm",
              "ours_best", "compile_ms", "error"]
    with open(os.path.join(out_dir, "tccg.csv"), "w", newline="") as fp:
        writer = csv.DictWriter(fp, fieldnames=fields, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    draw_chart(rows, os.path.join(out_dir, "tccg.png"), args.target)
    print(f"wrote {out_dir}/tccg.csv, tccg.json, tccg.md, tccg.png")
    return 0


if __name__ == "__main__":
    sys.exit(main())
