#!/usr/bin/env python3
"""Side-by-side benchmark: this project's JIT (through einsum-run --bench
--json) against OpenBLAS (NumPy's matmul, with OpenBLAS's best kernel for
this CPU), NumPy einsum and torch.einsum, f32, on 1 and 2 threads.

Every figure comes from the same run; ratios are ours / peer. Usage:
    bench/compare.py [--build DIR] [--cases gemm,attention] [--threads 1,2] [--json FILE]
"""

import argparse
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)

CASES = {
    "gemm": {
        "spec": "ik,kj->ij",
        "shapes": [(1024, 1024), (1024, 1024)],
        "flops": 2 * 1024**3,
    },
    "attention": {
        "spec": "bqhd,bkhd->bhqk",
        "named": "batch seqQ n_head d_head, batch seqK n_head d_head -> batch n_head seqQ seqK",
        "shapes": [(2, 512, 8, 64), (2, 512, 8, 64)],
        "flops": 2 * 2 * 8 * 512 * 512 * 64,
    },
}

# One process per OpenBLAS kernel choice: the kernel is fixed at load time.
PEER_SCRIPT = r"""
import json, sys, time
import numpy as np
case = json.loads(sys.argv[1])
repeat = int(sys.argv[2])
threads = int(sys.argv[3])
out = {}
try:
    from threadpoolctl import threadpool_info
    info = [i for i in threadpool_info() if i.get("internal_api") == "openblas"]
    out["openblas_kernel"] = info[0].get("architecture") if info else "unknown"
except Exception:
    out["openblas_kernel"] = "unknown"
rng = np.random.default_rng(0)
ops = [rng.standard_normal(s).astype(np.float32) for s in case["shapes"]]
def median(f):
    f()
    ts = []
    for _ in range(repeat):
        t = time.perf_counter(); f(); ts.append(time.perf_counter() - t)
    ts.sort()
    return ts[len(ts) // 2]
spec = case["spec"]
if spec == "ik,kj->ij":
    out["openblas"] = median(lambda: ops[0] @ ops[1])
else:
    # The pre-transposed GEMM OpenBLAS would run: Q[b,h,q,d] @ K[b,h,d,k].
    q = np.ascontiguousarray(ops[0].transpose(0, 2, 1, 3))
    k = np.ascontiguousarray(ops[1].transpose(0, 2, 3, 1))
    out["openblas"] = median(lambda: q @ k)
out["numpy_einsum_opt"] = median(lambda: np.einsum(spec, *ops, optimize=True))
if case.get("with_torch", True):
    try:
        import torch
        torch.set_num_threads(threads)
        tops = [torch.from_numpy(o) for o in ops]
        out["torch_einsum"] = median(lambda: torch.einsum(spec, *tops))
    except Exception as e:
        out["torch_error"] = str(e)
print(json.dumps(out))
"""


def run_peers(case, repeat, threads):
    """Runs the peers with each OpenBLAS kernel candidate; keeps the best."""
    best = None
    for coretype in [None, "SkylakeX", "Cooperlake", "Haswell"]:
        n = str(threads)
        env = dict(os.environ, OPENBLAS_NUM_THREADS=n, OMP_NUM_THREADS=n,
                   MKL_NUM_THREADS=n)
        env.pop("OPENBLAS_CORETYPE", None)
        if coretype:
            env["OPENBLAS_CORETYPE"] = coretype
        proc = subprocess.run(
            ["/usr/bin/python3", "-c", PEER_SCRIPT, json.dumps(case), str(repeat),
             str(threads)],
            env=env, capture_output=True, text=True)
        if proc.returncode != 0:
            continue
        result = json.loads(proc.stdout.strip().splitlines()[-1])
        result["coretype"] = coretype or "auto"
        if best is None or result["openblas"] < best["openblas"]:
            best = result
    return best


def run_ours(build, case, spec, threads):
    shapes = ",".join("x".join(map(str, s)) for s in case["shapes"])
    proc = subprocess.run(
        [os.path.join(build, "bin", "einsum-run"), spec, "--shapes", shapes,
         "--bench", "--json", "--threads", str(threads)],
        capture_output=True, text=True, check=True)
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build", default=os.path.join(ROOT, "build"))
    parser.add_argument("--cases", default="gemm,attention")
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--threads", default="1,2")
    parser.add_argument("--json", help="also write the results here")
    args = parser.parse_args()

    rows = []
    for threads in [int(t) for t in args.threads.split(",")]:
        for name in args.cases.split(","):
            case = CASES[name]
            peers = run_peers(case, args.repeat, threads)
            for spec in [case["spec"]] + ([case["named"]] if "named" in case else []):
                ours = run_ours(args.build, case, spec, threads)
                row = {"case": name, "spec": spec, "threads": threads,
                       "ours_gflops": ours["gflops"], "compile_ms": ours["compile_ms"],
                       "openblas_kernel": peers["openblas_kernel"] if peers else None,
                       "openblas_coretype": peers["coretype"] if peers else None}
                for peer in ("openblas", "numpy_einsum_opt", "torch_einsum"):
                    if peers and peer in peers:
                        gflops = case["flops"] / peers[peer] / 1e9
                        row[peer + "_gflops"] = gflops
                        row["ratio_vs_" + peer] = ours["gflops"] / gflops
                rows.append(row)

    header = f"{'case':20} {'ours':>8} {'OpenBLAS':>9} {'np.einsum':>10} {'torch':>8}   ratios (ours / peer)"
    print("f32, GFLOP/s (median of repeated runs after warm-up); threads per row")
    print(header)
    for r in rows:
        label = (r["case"] + (" (named)" if r["spec"] != CASES[r["case"]]["spec"] else "")
                 + f" x{r['threads']}")
        def g(k):
            return f"{r[k]:8.1f}" if k in r else "     n/a"
        ratios = ", ".join(f"{p}: {r['ratio_vs_' + p]:.2f}" for p in
                           ("openblas", "torch_einsum", "numpy_einsum_opt")
                           if "ratio_vs_" + p in r)
        print(f"{label:20.20} {r['ours_gflops']:8.1f} {g('openblas_gflops'):>9} "
              f"{g('numpy_einsum_opt_gflops'):>10} {g('torch_einsum_gflops'):>8}   {ratios}")
    if rows and rows[0].get("openblas_kernel"):
        print(f"OpenBLAS kernel: {rows[0]['openblas_kernel']} "
              f"(OPENBLAS_CORETYPE={rows[0]['openblas_coretype']}, best of the candidates)")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(rows, f, indent=1)


if __name__ == "__main__":
    sys.exit(main())
