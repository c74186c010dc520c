#!/usr/bin/env python3
"""The benchmark suite: this project's JIT (einsum-run --bench --json) side
by side with the peers a user would otherwise pick, in one run:

  * NumPy einsum(optimize=True) and einsum(optimize=False),
  * torch.einsum,
  * OpenBLAS directly (NumPy @ / batched matmul on the equivalent
    GEMM-shaped layout) for the GEMM-shaped cases, with OpenBLAS's best
    kernel for this CPU (several OPENBLAS_CORETYPE candidates are tried
    and the one used is reported).

It also measures the machine: single-core f32 FMA peak (a C loop compiled
here) and copy bandwidth (a large NumPy copy). Prints a table of GFLOP/s
(GB/s for memory-bound cases) with our ratio to the best peer, writes CSV
and JSON, and draws a PNG bar chart of the ratios (matplotlib).

Usage:
    bench/compare.py [--build DIR] [--cases 1,4,...] [--threads 1,2] [--out DIR]
"""

import argparse
import csv
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
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
    ("11diag", "ii->i", [(4096, 4096)], None, True),
    ("12", "i,j->ij", [(4096,), (4096,)], None, True),
    ("13", "bi,ij,bj->b", [(4096, 512), (512, 512), (4096, 512)], None, False),
    ("14", "bi,ij,jk->bk", [(256, 512), (512, 2048), (2048, 64)], None, False),
]

# Runs the peers for one case in a fresh process (OpenBLAS fixes its kernel
# at load time). Prints one JSON line of median seconds per peer.
PEER_SCRIPT = r"""
import json, sys, time
import numpy as np
case = json.loads(sys.argv[1]); threads = int(sys.argv[2])
spec, form = case["numpy_spec"], case["form"]
out = {}
try:
    from threadpoolctl import threadpool_info
    info = [i for i in threadpool_info() if i.get("internal_api") == "openblas"]
    out["openblas_kernel"] = info[0].get("architecture") if info else "unknown"
except Exception:
    out["openblas_kernel"] = "unknown"
rng = np.random.default_rng(0)
ops = [rng.standard_normal(s).astype(np.float32) for s in case["shapes"]]
def median(f, budget=1.0):
    t = time.perf_counter(); f(); first = time.perf_counter() - t
    n = max(3, min(30, int(budget / max(first, 1e-6))))
    ts = []
    for _ in range(n):
        t = time.perf_counter(); f(); ts.append(time.perf_counter() - t)
    ts.sort()
    return ts[len(ts) // 2]
if form == "gemm":
    out["openblas"] = median(lambda: ops[0] @ ops[1])
elif form == "gemv":
    out["openblas"] = median(lambda: ops[0] @ ops[1])
elif form == "bmm":
    out["openblas"] = median(lambda: np.matmul(ops[0], ops[1]))
elif form == "scores":   # Q[b,h,q,d] @ K[b,h,d,k], pre-transposed
    q = np.ascontiguousarray(ops[0].transpose(0, 2, 1, 3))
    k = np.ascontiguousarray(ops[1].transpose(0, 2, 3, 1))
    out["openblas"] = median(lambda: q @ k)
elif form == "attnout":  # P[b,h,q,k] @ V[b,h,k,d], pre-transposed
    v = np.ascontiguousarray(ops[1].transpose(0, 2, 1, 3))
    out["openblas"] = median(lambda: ops[0] @ v)
elif form == "gemm4":    # (ab)x(cd) @ (cd)x(ef)
    a = ops[0].reshape(1024, 1024); b = ops[1].reshape(1024, 1024)
    out["openblas"] = median(lambda: a @ b)
# einsum may return a view (transposes); a result must be materialized.
out["numpy_opt"] = median(
    lambda: np.ascontiguousarray(np.einsum(spec, *ops, optimize=True)))
if case["iterations"] <= 3e8:
    out["numpy_noopt"] = median(
        lambda: np.ascontiguousarray(np.einsum(spec, *ops, optimize=False)))
try:
    import torch
    torch.set_num_threads(threads)
    tops = [torch.from_numpy(o) for o in ops]
    out["torch"] = median(lambda: torch.einsum(spec, *tops).contiguous())
except Exception as e:
    out["torch_error"] = str(e)
print(json.dumps(out))
"""

PEERS = ["openblas", "numpy_opt", "numpy_noopt", "torch"]


def label_sizes(spec, shapes):
    sizes = {}
    lhs = to_letters(spec).split("->")[0].split(",")
    for term, shape in zip(lhs, shapes):
        for label, size in zip(term, shape):
            sizes[label] = size
    return sizes


def work(case_spec, shapes, memory_bound):
    """(amount, unit): FLOPs (products and sums of the loop nest) or bytes."""
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


def run_peers(case, threads):
    best = None
    for coretype in [None, "SkylakeX", "Cooperlake", "Haswell"]:
        n = str(threads)
        env = dict(os.environ, OPENBLAS_NUM_THREADS=n, OMP_NUM_THREADS=n,
                   MKL_NUM_THREADS=n)
        env.pop("OPENBLAS_CORETYPE", None)
        if coretype:
            env["OPENBLAS_CORETYPE"] = coretype
        proc = subprocess.run(["/usr/bin/python3", "-c", PEER_SCRIPT,
                               json.dumps(case), str(threads)],
                              env=env, capture_output=True, text=True)
        if proc.returncode != 0:
            continue
        result = json.loads(proc.stdout.strip().splitlines()[-1])
        result["coretype"] = coretype or "auto"
        key = "openblas" if "openblas" in result else "numpy_opt"
        if best is None or result[key] < best[key]:
            best = result
        if not case["form"]:
            break  # the kernel only matters for the GEMM-shaped peers
    return best or {}


def run_ours(build, spec, shapes, threads):
    proc = subprocess.run(
        [os.path.join(build, "bin", "einsum-run"), spec, "--shapes",
         ",".join("x".join(map(str, s)) for s in shapes),
         "--bench", "--json", "--threads", str(threads)],
        capture_output=True, text=True)
    if proc.returncode != 0:
        return None, proc.stderr.strip()
    return json.loads(proc.stdout.strip().splitlines()[-1]), None


def machine_limits():
    """Single-core f32 FMA peak (GFLOP/s) and copy bandwidth (GB/s)."""
    peak = None
    cc = shutil.which("cc") or shutil.which("gcc")
    if cc:
        with tempfile.TemporaryDirectory() as tmp:
            exe = os.path.join(tmp, "peak")
            flags = ["-O2", "-march=native"]
            if subprocess.run([cc] + flags + [os.path.join(HERE, "peak.c"),
                                              "-o", exe]).returncode == 0:
                out = subprocess.run([exe], capture_output=True, text=True).stdout
                peak = float(out.split()[0])
    bandwidth = None
    try:
        import time
        import numpy as np
        a = np.ones(64 * 1024 * 1024 // 4, dtype=np.float32)
        b = np.empty_like(a)
        np.copyto(b, a)
        ts = []
        for _ in range(10):
            t = time.perf_counter(); np.copyto(b, a); ts.append(time.perf_counter() - t)
        bandwidth = 2 * a.nbytes / sorted(ts)[5] / 1e9
    except Exception:
        pass
    return peak, bandwidth


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build", default=os.path.join(ROOT, "build"))
    parser.add_argument("--cases", help="comma-separated case ids (default all)")
    parser.add_argument("--threads", default="1,2")
    parser.add_argument("--out", help="directory for CSV/JSON/PNG (default BUILD/bench)")
    args = parser.parse_args()
    out_dir = args.out or os.path.join(args.build, "bench")
    os.makedirs(out_dir, exist_ok=True)
    wanted = set(args.cases.split(",")) if args.cases else None

    peak, bandwidth = machine_limits()
    print(f"machine: single-core f32 FMA peak {peak or float('nan'):.1f} GFLOP/s, "
          f"copy bandwidth {bandwidth or float('nan'):.1f} GB/s")

    rows = []
    for threads in [int(t) for t in args.threads.split(",")]:
        for cid, spec, shapes, form, memory_bound in CASES:
            if wanted and cid not in wanted:
                continue
            amount, unit, iterations = work(spec, shapes, memory_bound)
            case = {"numpy_spec": to_letters(spec), "shapes": shapes,
                    "form": form, "iterations": iterations}
            peers = run_peers(case, threads)
            ours, error = run_ours(args.build, spec, shapes, threads)
            row = {"case": cid, "spec": spec, "threads": threads, "unit": unit,
                   "openblas_kernel": peers.get("openblas_kernel"),
                   "openblas_coretype": peers.get("coretype")}
            if ours:
                row["ours"] = amount / (ours["median_ms"] * 1e-3) / 1e9
                row["compile_ms"] = ours["compile_ms"]
            else:
                row["error"] = error
            for peer in PEERS:
                if peer in peers:
                    row[peer] = amount / peers[peer] / 1e9
            best = max((row[p] for p in PEERS if p in row), default=None)
            if best and "ours" in row:
                row["best_peer"] = best
                row["ratio"] = row["ours"] / best
            rows.append(row)
            def f(key):
                return f"{row[key]:9.1f}" if key in row else "      n/a"
            print(f"{cid:8} x{threads} {unit:7} ours {f('ours')} | OpenBLAS {f('openblas')}"
                  f" np.einsum(opt) {f('numpy_opt')} np.einsum {f('numpy_noopt')}"
                  f" torch {f('torch')} | ratio to best peer "
                  f"{row.get('ratio', float('nan')):5.2f}  {spec}", flush=True)

    kernels = {r["openblas_kernel"] for r in rows if r.get("openblas_kernel")}
    print("OpenBLAS kernel(s) used:", ", ".join(sorted(kernels)) or "n/a")
    with open(os.path.join(out_dir, "results.json"), "w") as fp:
        json.dump({"peak_gflops": peak, "copy_gbs": bandwidth, "rows": rows}, fp, indent=1)
    fields = ["case", "spec", "threads", "unit", "ours"] + PEERS + [
        "best_peer", "ratio", "compile_ms", "openblas_kernel", "openblas_coretype", "error"]
    with open(os.path.join(out_dir, "results.csv"), "w", newline="") as fp:
        writer = csv.DictWriter(fp, fieldnames=fields, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        fig, ax = plt.subplots(figsize=(12, 4))
        threads_list = sorted({r["threads"] for r in rows})
        width = 0.8 / len(threads_list)
        ids = [c[0] for c in CASES if not wanted or c[0] in wanted]
        for i, t in enumerate(threads_list):
            ratios = [next((r.get("ratio", 0) for r in rows
                            if r["case"] == cid and r["threads"] == t), 0) for cid in ids]
            ax.bar([x + i * width for x in range(len(ids))], ratios, width,
                   label=f"{t} thread(s)")
        ax.axhline(1.0, color="black", linewidth=0.8)
        ax.set_xticks([x + width * (len(threads_list) - 1) / 2 for x in range(len(ids))])
        ax.set_xticklabels(ids)
        ax.set_ylabel("ours / best peer")
        ax.set_title("einsum-mlir vs the best of OpenBLAS, NumPy, PyTorch (f32)")
        ax.legend()
        fig.tight_layout()
        fig.savefig(os.path.join(out_dir, "ratios.png"), dpi=120)
    except Exception as e:
        print("no chart:", e)
    print(f"wrote {out_dir}/results.csv, results.json, ratios.png")


if __name__ == "__main__":
    sys.exit(main())
