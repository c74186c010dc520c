#!/usr/bin/env python3
"""The benchmark suite: this project's JIT (einsum-run --bench --json) side
by side with the peers a user would otherwise pick, in one run:

  * NumPy einsum(optimize=True) and einsum(optimize=False),
  * torch.einsum,
  * OpenBLAS directly (NumPy @ / batched matmul on the equivalent
    GEMM-shaped layout) for the GEMM-shaped cases, with OpenBLAS's best
    kernel for this CPU (several OPENBLAS_CORETYPE candidates are tried
    first, in a short run that is not counted, and the fastest is used
    and reported).

Each participant's figure is the median of repeated runs after a warm-up;
the machine is shared and noisy, so the whole suite runs --rounds times
(interleaved: every case once per round, ours right after the peers) and
each participant keeps its best round. The CSV/JSON also carry each one's
fastest single run (ours_best, torch_best, ...: how much of a ratio is
noise). JIT compile time is reported separately.

It also measures the machine (bench/machine.c): single-core f32 FMA peak
and copy bandwidth. Prints a table of GFLOP/s (GB/s, bytes read + written,
for memory-bound cases) with our ratio to the best peer, then the
performance targets (GEMM vs OpenBLAS and peak, attention layouts vs
torch, memory-bound cases vs copy bandwidth, O(n) traces, geometric means,
2-thread scaling) as met / NOT MET. Writes results.csv, results.json,
results.md (the README's tables) and ratios.png (matplotlib bar chart).

With --target avx2 every participant runs as on an AVX2 CPU (our kernels
for Haswell, OpenBLAS's Haswell kernel, torch's and NumPy's AVX2 code; see
bench/benchlib.py), so AVX2 figures can be measured on an AVX-512 machine.

With --extra it also runs EXTRA_CASES (one thread): shapes beyond the
suite that a sweep of common einsums once found slower than a peer; they
are reported, not counted in the targets.

Usage:
    bench/compare.py [--build DIR] [--cases 1,4,...] [--threads 1,2]
                     [--rounds 3] [--out DIR] [--target host|avx2] [--extra]
"""

import argparse
import csv
import json
import math
import os
import sys

from benchlib import (PEERS, ROOT, TARGETS, choose_coretype, cpu_name,  # noqa: E402
                      geomean, keep_best, machine_limits, print_targets, pyplot,
                      run_ours, run_peers, targets_markdown)

sys.path.insert(0, os.path.join(ROOT, "scripts"))
from einsum_notation import to_letters  # noqa: E402

ATTN_NAMED = ("batch seqQ n_head d_head, batch seqK n_head d_head -> "
              "batch n_head seqQ seqK")

# id, spec, operand shapes, OpenBLAS form (or None), memory-bound?
CASES = [
    ("1", "ik,kj->ij", [(1024, 1024), (1024, 1024)], "gemm", False),
    ("1odd", "ik,kj->ij", [(997, 1013), (1013, 1031)], "gemm", False),
    ("2", "ik,k->i", [(4096, 4096), (4096,)], "gemv", True),
    ("3", "bik,bkj->bij", [(32, 256, 256), (32, 256, 256)], "bmm", False),
    ("4", "bqhd,bkhd->bhqk", [(2, 512, 8, 64), (2, 512, 8, 64)], "scores", False),
    ("4named", ATTN_NAMED, [(2, 512, 8, 64), (2, 512, 8, 64)], "scores", False),
    ("5", "bhqk,bkhd->bqhd", [(2, 8, 512, 512), (2, 512, 8, 64)], "attnout", False),
    ("6", "aebf,dfce->abcd", [(32,) * 4, (32,) * 4], None, False),
    ("7", "abcd,cdef->abef", [(32,) * 4, (32,) * 4], "gemm4", False),
    ("8", "ijma,mkbc->abcijk", [(16,) * 4, (16,) * 4], None, False),
    ("9", "abc->cba", [(256, 256, 256)], None, True),
    ("10i", "ij->i", [(4096, 8192)], None, True),
    ("10j", "ij->j", [(4096, 8192)], None, True),
    ("11trace", "ii->", [(4096, 4096)], None, True),
    ("11trace-8k", "ii->", [(8192, 8192)], None, True),  # O(n) check
    ("11diag", "ii->i", [(4096, 4096)], None, True),
    ("12", "i,j->ij", [(4096,), (4096,)], None, True),
    ("13", "bi,ij,bj->b", [(4096, 512), (512, 512), (4096, 512)], None, False),
    ("14", "bi,ij,jk->bk", [(256, 512), (512, 2048), (2048, 64)], None, False),
]

# Beyond the suite (--extra, one thread): shapes a sweep of common
# einsums found slower than a peer, kept to show they stay fixed. Not
# counted in the targets or the geometric means.
EXTRA_CASES = [
    ("x-rowsum64", "ij->i", [(131072, 64)], None, True),
    ("x-rowsum16", "ij->i", [(262144, 16)], None, True),
    ("x-bij-bi", "bij->bi", [(256, 256, 256)], None, True),
    ("x-gemv16", "ij,j->i", [(100000, 16), (16,)], None, True),
    ("x-gemv-long", "ik,k->i", [(256, 65536), (65536,)], "gemv", True),
    ("x-gemm-n1", "ik,kj->ij", [(1024, 1024), (1024, 1)], "gemm", True),
    ("x-ilk", "ijk,jl->ilk", [(64, 64, 64), (64, 64)], None, False),
    ("x-ijk-ik", "ijk->ik", [(256, 256, 256)], None, True),
    ("x-bmm32", "bij,bjk->bik", [(256, 32, 32), (256, 32, 32)], "bmm", False),
]

def label_sizes(spec, shapes):
    sizes = {}
    lhs = to_letters(spec).split("->")[0].split(",")
    for term, shape in zip(lhs, shapes):
        for label, size in zip(term, shape):
            sizes[label] = size
    return sizes


def work(case_spec, shapes, memory_bound):
    """(amount, unit, loop-nest iterations): FLOPs of the loop nest
    (replaced by the planned order's FLOPs when ours reports them) or bytes
    read + written."""
    sizes = label_sizes(case_spec, shapes)
    iterations = math.prod(sizes.values())
    if not memory_bound:
        return iterations * max(1, len(shapes)), "GFLOP/s", iterations
    out_labels = to_letters(case_spec).split("->")[1]
    out_elems = math.prod(sizes[l] for l in out_labels)
    if case_spec.startswith("ii"):  # a trace/diagonal reads only the diagonal
        read = sizes["i"]
    else:
        read = sum(math.prod(s) for s in shapes)
    return 4 * (read + out_elems), "GB/s", iterations


def targets(rows, peak, bandwidth):
    """The performance issue's done-when list, checked on this run's rows:
    (description, measured value as text, met?)."""
    by = {(r["case"], r["threads"]): r for r in rows}
    checks = []

    def row(case, threads=1):
        return by.get((case, threads), {})

    def check(text, value, ok, fmt="{:.2f}"):
        checks.append((text, "n/a" if value is None else fmt.format(value),
                       None if value is None else bool(ok)))

    for case in ["1", "1odd", "3", "7"]:
        r = row(case)
        v = r["ours"] / r["openblas"] if "ours" in r and "openblas" in r else None
        check(f"case {case}: >= 0.95x OpenBLAS", v, v and v >= 0.95)
    r = row("1")
    v = r["ours"] / peak if "ours" in r and peak else None
    check("case 1: >= 90% of the FMA peak", v, v and v >= 0.90, "{:.0%}")
    for case in ["4", "4named", "5"]:
        r = row(case)
        v = r["ours"] / r["torch"] if "ours" in r and "torch" in r else None
        check(f"case {case}: >= 1.4x torch.einsum", v, v and v >= 1.4)
        v = r["ours"] / r["openblas"] if "ours" in r and "openblas" in r else None
        check(f"case {case}: >= 0.95x OpenBLAS (pre-transposed)", v, v and v >= 0.95)
    for case in ["6", "8"]:
        v = row(case).get("ratio")
        check(f"case {case}: >= 1.2x the best peer", v, v and v >= 1.2)
    for case in ["2", "9", "10i", "10j", "12"]:
        r = row(case)
        v = r["ours"] / bandwidth if "ours" in r and bandwidth else None
        check(f"case {case}: >= 70% of copy bandwidth", v, v and v >= 0.70, "{:.0%}")
    # Both sizes far beyond the caches (every diagonal element a cache and
    # TLB miss): twice n should take twice as long, not four times.
    small, large = row("11trace"), row("11trace-8k")
    v = (large["ours_ms"] / small["ours_ms"]
         if "ours_ms" in small and "ours_ms" in large else None)
    check("case 11: time(n=8192) / time(n=4096) ~ 2 (O(n)), not 4", v, v and v < 3)
    worst = min((r["ratio"] for r in rows if r["threads"] == 1 and "ratio" in r),
                default=None)
    check("every case: >= 0.9x the best peer (worst)", worst, worst and worst >= 0.9)
    one = [r for r in rows if r["threads"] == 1 and "ours" in r]
    v = geomean([r["ours"] / r["torch"] for r in one if "torch" in r])
    check("geomean speed-up over torch.einsum >= 1.5", v, v and v >= 1.5)
    v = geomean([r["ours"] / r["numpy_opt"] for r in one if "numpy_opt" in r])
    check("geomean speed-up over np.einsum(optimize=True) >= 3", v, v and v >= 3)
    for case in ["1", "3", "4", "5"]:
        a, b = row(case), row(case, 2)
        v = b["ours"] / a["ours"] if "ours" in a and "ours" in b else None
        check(f"case {case}: 2 threads >= 1.7x 1 thread", v, v and v >= 1.7)
    return checks


def write_markdown(path, rows, peak, bandwidth, kernels, checks, rounds, target):
    """The tables the README shows."""
    def f(row, key):
        return f"{row[key]:.1f}" if key in row else "–"
    lines = [f"Machine: {cpu_name()}, {os.cpu_count()} cores; target {target}; single-core f32 "
             f"FMA peak {peak or float('nan'):.0f} GFLOP/s, copy bandwidth "
             f"{bandwidth or float('nan'):.1f} GB/s (memcpy, bytes read + "
             f"written). OpenBLAS: the fastest of its kernels per case "
             f"({', '.join(sorted(kernels)) or 'n/a'}). GB/s counts bytes "
             f"read + written; GFLOP/s the planned contraction's FLOPs. Each "
             f"figure: the median of repeated runs, best of {rounds} "
             f"interleaved rounds.", "",
             "| case | einsum | threads | unit | ours | OpenBLAS | np.einsum(opt) "
             "| np.einsum | torch.einsum | ours / best peer |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        lines.append(f"| {r['case']} | `{r['spec']}` | {r['threads']} | {r['unit']} "
                     f"| {f(r, 'ours')} | {f(r, 'openblas')} | {f(r, 'numpy_opt')} "
                     f"| {f(r, 'numpy_noopt')} | {f(r, 'torch')} "
                     f"| {r['ratio']:.2f} |" if "ratio" in r else
                     f"| {r['case']} | `{r['spec']}` | {r['threads']} | {r['unit']} "
                     f"| error | | | | | |")
    lines += targets_markdown(checks)
    with open(path, "w") as fp:
        fp.write("\n".join(lines) + "\n")


def draw_chart(rows, ids, path):
    """Bar chart of our ratio to the best peer per case and thread count."""
    plt = pyplot()
    if not plt:
        return
    fig, ax = plt.subplots(figsize=(12, 4))
    threads_list = sorted({r["threads"] for r in rows})
    width = 0.8 / len(threads_list)
    for i, t in enumerate(threads_list):
        ratios = [next((r.get("ratio", 0) for r in rows
                        if r["case"] == cid and r["threads"] == t), 0) for cid in ids]
        ax.bar([x + i * width for x in range(len(ids))], ratios, width,
               label=f"{t} thread(s)")
    ax.axhline(1.0, color="black", linewidth=0.8)
    ax.set_yscale("log")  # ratios from ~0.5 to ~10
    ax.set_xticks([x + width * (len(threads_list) - 1) / 2 for x in range(len(ids))])
    ax.set_xticklabels(ids, rotation=45, ha="right")
    ax.set_ylabel("ours / best peer (log scale)")
    ax.set_title("einsum-mlir vs the best of OpenBLAS, NumPy, PyTorch (f32)")
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=120)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build", default=os.path.join(ROOT, "build"))
    parser.add_argument("--cases", help="comma-separated case ids (default all)")
    parser.add_argument("--threads", default="1,2")
    parser.add_argument("--rounds", type=int, default=3,
                        help="times the suite runs; each figure is its best round")
    parser.add_argument("--out", help="directory for CSV/JSON/PNG (default "
                        "BUILD/bench, BUILD/bench-avx2 for --target avx2)")
    parser.add_argument("--target", choices=sorted(TARGETS), default="host",
                        help="host: every participant with this CPU's ISA; avx2: "
                        "every participant as on an AVX2 CPU (bench/benchlib.py)")
    parser.add_argument("--extra", action="store_true",
                        help="also the cases beyond the suite (EXTRA_CASES, 1 thread)")
    args = parser.parse_args()
    out_dir = args.out or os.path.join(
        args.build, "bench" if args.target == "host" else "bench-" + args.target)
    os.makedirs(out_dir, exist_ok=True)
    wanted = set(args.cases.split(",")) if args.cases else None


    plan = [(threads, case) for threads in [int(t) for t in args.threads.split(",")]
            for case in CASES if not wanted or case[0] in wanted]
    if args.extra:
        plan += [(1, case) for case in EXTRA_CASES
                 if not wanted or case[0] in wanted]
    coretypes, best = {}, {}
    peak = bandwidth = None
    for round_ in range(1, args.rounds + 1):
        print(f"round {round_} of {args.rounds}", flush=True)
        # The machine's limits are measured every round too, best kept.
        round_peak, round_bandwidth = machine_limits(args.target)
        peak = max(filter(None, [peak, round_peak]), default=None)
        bandwidth = max(filter(None, [bandwidth, round_bandwidth]), default=None)
        for threads, (cid, spec, shapes, form, memory_bound) in plan:
            _, _, iterations = work(spec, shapes, memory_bound)
            case = {"numpy_spec": to_letters(spec), "shapes": shapes,
                    "form": form, "iterations": iterations}
            if (cid, threads) not in coretypes:
                coretypes[cid, threads] = choose_coretype(case, threads, args.target)
            peers = run_peers(case, threads, coretypes[cid, threads], args.target)
            ours, error = run_ours(args.build, spec, shapes, threads, args.target)
            keep_best(best.setdefault((cid, threads), {}), peers, ours, error)

    print(f"machine: single-core f32 FMA peak {peak or float('nan'):.1f} GFLOP/s, "
          f"copy bandwidth {bandwidth or float('nan'):.1f} GB/s")
    rows = []
    for threads, (cid, spec, shapes, form, memory_bound) in plan:
        amount, unit, _ = work(spec, shapes, memory_bound)
        kept = best[cid, threads]
        ours = kept.get("ours")
        row = {"case": cid, "spec": spec, "threads": threads, "unit": unit,
               "openblas_kernel": kept.get("openblas_kernel"),
               "openblas_coretype": kept.get("coretype")}
        if ours and not memory_bound and ours.get("flops"):
            # The FLOPs of the planned contraction order (the naive
            # loop nest's for one or two operands), for every column.
            amount = ours["flops"]
        if ours:
            row["ours"] = amount / (ours["median_ms"] * 1e-3) / 1e9
            row["ours_ms"] = ours["median_ms"]
            row["compile_ms"] = ours["compile_ms"]
        else:
            row["error"] = kept.get("error")
        for peer in PEERS:
            if peer in kept:
                row[peer] = amount / kept[peer] / 1e9
                row[peer + "_best"] = amount / kept[peer + "_min"] / 1e9
        if "ours_min_ms" in kept:
            row["ours_best"] = amount / (kept["ours_min_ms"] * 1e-3) / 1e9
        best_peer = max((row[p] for p in PEERS if p in row), default=None)
        if best_peer and "ours" in row:
            row["best_peer"] = best_peer
            row["ratio"] = row["ours"] / best_peer
        rows.append(row)
        def f(key):
            return f"{row[key]:9.1f}" if key in row else "      n/a"
        print(f"{cid:8} x{threads} {unit:7} ours {f('ours')} | OpenBLAS {f('openblas')}"
              f" np.einsum(opt) {f('numpy_opt')} np.einsum {f('numpy_noopt')}"
              f" torch {f('torch')} | ratio to best peer "
              f"{row.get('ratio', float('nan')):5.2f}  {spec}", flush=True)

    kernels = {r["openblas_kernel"] for r in rows
               if r.get("openblas_kernel") and "openblas" in r}
    print("OpenBLAS kernel(s) used:", ", ".join(sorted(kernels)) or "n/a")
    suite = {case[0] for case in CASES}
    checks = targets([r for r in rows if r["case"] in suite], peak, bandwidth)
    print_targets("targets (performance issue, single thread unless noted):", checks)
    with open(os.path.join(out_dir, "results.json"), "w") as fp:
        json.dump({"target": args.target, "peak_gflops": peak, "copy_gbs": bandwidth,
                   "rounds": args.rounds, "rows": rows,
                   "targets": [{"target": t, "value": v, "met": ok}
                               for t, v, ok in checks]}, fp, indent=1)
    write_markdown(os.path.join(out_dir, "results.md"), rows, peak, bandwidth,
                   kernels, checks, args.rounds, args.target)
    fields = ["case", "spec", "threads", "unit", "ours", "ours_ms"] + PEERS + [
        "ours_best"] + [p + "_best" for p in PEERS] + [
        "best_peer", "ratio", "compile_ms", "openblas_kernel", "openblas_coretype", "error"]
    with open(os.path.join(out_dir, "results.csv"), "w", newline="") as fp:
        writer = csv.DictWriter(fp, fieldnames=fields, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    ids = [c[0] for c in CASES if not wanted or c[0] in wanted]
    draw_chart(rows, ids, os.path.join(out_dir, "ratios.png"))
    print(f"wrote {out_dir}/results.csv, results.json, results.md, ratios.png")


if __name__ == "__main__":
    sys.exit(main())
