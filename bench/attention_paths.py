#!/usr/bin/env python3
"""Benchmark of N-operand contraction orders and of the attention pattern,
side by side with the peers in one run:

  * contraction order: einsum-run with the planned order, and the same
    einsum forced into one loop nest (--path none); NumPy einsum
    (optimize=True) and torch.einsum;
  * attention softmax(Q Kᵀ/√d) V, [2, 512, 8, 64] f32, plain and causal:
    einsum-run --attention fused and unfused (with each one's peak kernel
    scratch memory), torch.nn.functional.scaled_dot_product_attention, and
    the textbook chain in torch (einsum, softmax, einsum).

Prints a table of milliseconds and ratios and writes BUILD/bench/
attention_paths.json.

Usage: bench/attention_paths.py [--build DIR] [--threads N]
"""

import argparse
import json
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)

PATH_CASES = [
    ("four-index 16", "pi,qj,ijkl,rk,sl->pqrs",
     [(16, 16), (16, 16), (16, 16, 16, 16), (16, 16), (16, 16)]),
    ("case 13", "bi,ij,bj->b", [(4096, 512), (512, 512), (4096, 512)]),
    ("case 14", "bi,ij,jk->bk", [(256, 512), (512, 2048), (2048, 64)]),
]
ATTENTION = (2, 512, 8, 64)  # batch, seq, n_head, d_head


def median(f, budget=1.0):
    t = time.perf_counter(); f(); first = time.perf_counter() - t
    n = max(3, min(50, int(budget / max(first, 1e-6))))
    ts = []
    for _ in range(n):
        t = time.perf_counter(); f(); ts.append(time.perf_counter() - t)
    ts.sort()
    return ts[len(ts) // 2]


def einsum_run(build, args):
    proc = subprocess.run([os.path.join(build, "bin", "einsum-run")] + args +
                          ["--bench", "--json"], capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(proc.stderr.strip())
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build", default=os.path.join(ROOT, "build"))
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    threads = str(args.threads)
    os.environ.setdefault("OMP_NUM_THREADS", threads)
    import numpy as np
    try:
        import torch
        torch.set_num_threads(args.threads)
    except Exception:
        torch = None
    rng = np.random.default_rng(0)
    results = {"threads": args.threads, "paths": [], "attention": []}

    print("contraction order (f32, milliseconds; lower is better)")
    for name, spec, shapes in PATH_CASES:
        shape_arg = ",".join("x".join(map(str, s)) for s in shapes)
        ours = einsum_run(args.build, [spec, "--shapes", shape_arg,
                                       "--threads", threads])
        single = einsum_run(args.build, [spec, "--shapes", shape_arg,
                                         "--threads", threads, "--path", "none",
                                         "--repeat", "3"])
        ops = [rng.standard_normal(s).astype(np.float32) for s in shapes]
        row = {"case": name, "spec": spec, "ours_ms": ours["median_ms"],
               "one_loop_nest_ms": single["median_ms"],
               "numpy_opt_ms": 1e3 * median(
                   lambda: np.einsum(spec, *ops, optimize=True))}
        if torch:
            tops = [torch.from_numpy(o) for o in ops]
            row["torch_ms"] = 1e3 * median(lambda: torch.einsum(spec, *tops))
        row["speedup_over_one_loop_nest"] = row["one_loop_nest_ms"] / row["ours_ms"]
        best = min(row.get("numpy_opt_ms", 1e30), row.get("torch_ms", 1e30))
        row["ratio_to_best_peer"] = best / row["ours_ms"]
        results["paths"].append(row)
        print(f"  {name:14} ours {row['ours_ms']:9.3f} | one loop nest "
              f"{row['one_loop_nest_ms']:10.3f} ({row['speedup_over_one_loop_nest']:7.1f}x)"
              f" | np.einsum(opt) {row['numpy_opt_ms']:9.3f}"
              f" torch {row.get('torch_ms', float('nan')):9.3f}"
              f" | ours vs best peer {row['ratio_to_best_peer']:5.2f}x  {spec}")

    b, s, h, d = ATTENTION
    print(f"attention [{b}, {s}, {h}, {d}] f32 (milliseconds; scratch = peak "
          "kernel scratch memory)")
    q, k, v = (rng.uniform(-1, 1, (b, s, h, d)).astype(np.float32)
               for _ in range(3))
    sizes = f"batch={b},seq={s},n_head={h},d_head={d}"
    for causal in (False, True):
        flag = ["--causal"] if causal else []
        row = {"causal": causal}
        for variant in ("fused", "unfused"):
            r = einsum_run(args.build, ["--attention", "--sizes", sizes,
                                        "--variant", variant,
                                        "--threads", threads] + flag)
            row[f"{variant}_ms"] = r["median_ms"]
            row[f"{variant}_gflops"] = r["gflops"]
            row[f"{variant}_scratch_bytes"] = r["scratch_peak_bytes"]
        if torch:
            tq, tk, tv = (torch.from_numpy(x).permute(0, 2, 1, 3) for x in (q, k, v))
            import torch.nn.functional as F
            sdpa = getattr(F, "scaled_dot_product_attention", None)  # torch >= 2
            if sdpa:
                row["torch_sdpa_ms"] = 1e3 * median(
                    lambda: sdpa(tq, tk, tv, is_causal=causal)
                    .permute(0, 2, 1, 3).contiguous())
            qq, kk, vv = (torch.from_numpy(x) for x in (q, k, v))

            def chain():
                sc = torch.einsum("bqhd,bkhd->bhqk", qq, kk) / d ** 0.5
                if causal:
                    sc = sc.masked_fill(
                        torch.ones(s, s, dtype=torch.bool).triu(1), float("-inf"))
                return torch.einsum("bhqk,bkhd->bqhd", sc.softmax(-1), vv)
            row["torch_chain_ms"] = 1e3 * median(chain)
        row["fused_over_unfused"] = row["unfused_ms"] / row["fused_ms"]
        results["attention"].append(row)
        print(f"  {'causal' if causal else 'plain ':6} fused {row['fused_ms']:8.3f}"
              f" ({row['fused_gflops']:6.1f} GFLOP/s, scratch "
              f"{row['fused_scratch_bytes'] / 2**20:6.2f} MiB) | unfused "
              f"{row['unfused_ms']:8.3f} (scratch {row['unfused_scratch_bytes'] / 2**20:6.2f} MiB)"
              f" | fused/unfused speed {row['fused_over_unfused']:4.2f}x"
              f" | torch SDPA {row.get('torch_sdpa_ms', float('nan')):8.3f}"
              f" torch chain {row.get('torch_chain_ms', float('nan')):8.3f}")
    out_dir = os.path.join(args.build, "bench")
    os.makedirs(out_dir, exist_ok=True)
    with open(os.path.join(out_dir, "attention_paths.json"), "w") as fp:
        json.dump(results, fp, indent=1)
    print(f"wrote {out_dir}/attention_paths.json")


if __name__ == "__main__":
    sys.exit(main())
