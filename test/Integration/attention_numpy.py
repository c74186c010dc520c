#!/usr/bin/env python3
"""einsum-run --attention on .npy files against a NumPy implementation of
softmax(Q Kᵀ/√d) V (float64), fused and unfused, with and without the
causal mask, f32 and f64, including non-contiguous (Fortran-order) inputs.
Prints one line per failure and a summary."""

import os
import shutil
import subprocess
import sys
import tempfile

import numpy as np

EINSUM_RUN = os.path.abspath(shutil.which(sys.argv[1]) or sys.argv[1])
rng = np.random.default_rng(11)


def attention(q, k, v, causal, scale=None):
    q, k, v = (x.astype(np.float64) for x in (q, k, v))
    scale = scale or 1 / np.sqrt(q.shape[3])
    s = np.einsum("bqhd,bkhd->bhqk", q, k) * scale
    if causal:
        mask = np.triu(np.ones((q.shape[1], k.shape[1]), dtype=bool), 1)
        s = np.where(mask, -np.inf, s)
    s = np.exp(s - s.max(axis=3, keepdims=True))
    p = s / s.sum(axis=3, keepdims=True)
    return np.einsum("bhqk,bkhe->bqhe", p, v)


CASES = [
    # batch, seqQ, seqK, n_head, d_head, d_v
    (2, 64, 64, 4, 32, 32),
    (1, 37, 37, 3, 20, 20),
    (2, 24, 80, 2, 16, 40),
    (1, 96, 40, 2, 16, 8),
    (1, 128, 128, 1, 64, 64),
]

failures = 0
count = 0
with tempfile.TemporaryDirectory() as tmp:
    for b, sq, sk, h, d, dv in CASES:
        for dtype in (np.float32, np.float64):
            q = rng.uniform(-1, 1, (b, sq, h, d)).astype(dtype)
            k = rng.uniform(-1, 1, (b, sk, h, d)).astype(dtype)
            v = rng.uniform(-1, 1, (b, sk, h, dv)).astype(dtype)
            if dtype == np.float64:
                q = np.asfortranarray(q)
            paths = []
            for name, x in (("q", q), ("k", k), ("v", v)):
                paths.append(os.path.join(tmp, name + ".npy"))
                np.save(paths[-1], x)
            for causal in (False, True):
                for variant in ("fused", "unfused"):
                    count += 1
                    out = os.path.join(tmp, "out.npy")
                    args = [EINSUM_RUN, "--attention", *paths, "-o", out,
                            "--variant", variant] + (["--causal"] if causal else [])
                    result = subprocess.run(args, capture_output=True, text=True)
                    what = f"{(b, sq, sk, h, d, dv)} {np.dtype(dtype).name} " \
                           f"causal={causal} {variant}"
                    if result.returncode != 0:
                        print(f"FAIL: {what}: exit {result.returncode}: "
                              f"{result.stderr.strip()}")
                        failures += 1
                        continue
                    got = np.load(out)
                    want = attention(q, k, v, causal)
                    tol = 2e-6 if dtype == np.float32 else 1e-13
                    err = np.max(np.abs(got - want)) if got.size else 0
                    if got.dtype != dtype or got.shape != want.shape or err > tol:
                        print(f"FAIL: {what}: dtype {got.dtype}, shape "
                              f"{got.shape}, max error {err:.3g}")
                        failures += 1
print(f"attention numpy oracle: {count} runs, {failures} failure(s)")
sys.exit(1 if failures else 0)
