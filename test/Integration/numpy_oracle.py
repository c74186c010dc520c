#!/usr/bin/env python3
"""Differential test of einsum-run against numpy.einsum on .npy files.

For each einsum of the dialect issue and each dtype, writes random inputs
as .npy, runs `einsum-run SPEC in.npy ... -o out.npy`, and compares the
result (values and dtype) with numpy.einsum. Also checks Fortran-order and
rank-0 inputs, mixed dtypes, and that failures exit 1 and leave no output
file. Prints one line per failure and exits 1 if there was any.
"""

import os
import shutil
import subprocess
import sys
import tempfile

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "..", "scripts"))
from einsum_notation import to_letters  # noqa: E402

EINSUM_RUN = os.path.abspath(shutil.which(sys.argv[1]) or sys.argv[1])
rng = np.random.default_rng(7)

CASES = [
    ("ij,jk->ik", [(5, 7), (7, 3)]),
    ("bik,bkj->bij", [(2, 4, 6), (2, 6, 5)]),
    ("batch seqQ n_head d_head, batch seqK n_head d_head -> batch n_head seqQ seqK",
     [(2, 6, 3, 8), (2, 5, 3, 8)]),
    ("bqhd,bkhd->bhqk", [(2, 37, 3, 40), (2, 33, 3, 40)]),
    ("ii->", [(6, 6)]),
    ("ii->i", [(6, 6)]),
    ("ij->ji", [(4, 9)]),
    ("ij->", [(4, 9)]),
    ("ij->i", [(4, 9)]),
    ("i,j->ij", [(4,), (6,)]),
    ("...ij,...jk->...ik", [(3, 1, 4, 5), (2, 5, 6)]),
    ("bi,ij,bj->b", [(4, 3), (3, 5), (4, 5)]),
    ("ij,jk", [(3, 4), (4, 2)]),
    ("ik,kj->ij", [(70, 130), (130, 40)]),
]
DTYPES = ["float32", "float64", "int32", "int64", "float16"]
TOLERANCE = {"float32": 1e-5, "float64": 1e-12, "float16": 2e-2}


def random_array(shape, dtype):
    if np.dtype(dtype).kind == "i":
        return rng.integers(-8, 9, size=shape).astype(dtype)
    return rng.uniform(-1, 1, size=shape).astype(dtype)


failures = []
count = 0


def run(args, tmp):
    return subprocess.run([EINSUM_RUN] + args, capture_output=True, text=True,
                          cwd=tmp)


def check(spec, arrays, tmp, label):
    global count
    count += 1
    paths = []
    for i, a in enumerate(arrays):
        path = os.path.join(tmp, f"in{i}.npy")
        np.save(path, a)
        paths.append(path)
    out = os.path.join(tmp, "out.npy")
    if os.path.exists(out):
        os.remove(out)
    proc = run([spec] + paths + ["-o", out], tmp)
    if proc.returncode != 0:
        failures.append(f"{label}: {spec}: exit {proc.returncode}: {proc.stderr.strip()}")
        return
    got = np.load(out)
    want = np.einsum(to_letters(spec), *arrays)
    want = np.asarray(want)
    if got.dtype != want.dtype:
        failures.append(f"{label}: {spec}: dtype {got.dtype}, numpy gives {want.dtype}")
        return
    if got.shape != want.shape:
        failures.append(f"{label}: {spec}: shape {got.shape}, numpy gives {want.shape}")
        return
    if want.dtype.kind == "i":
        if not np.array_equal(got, want):
            failures.append(f"{label}: {spec}: integer mismatch")
        return
    # Error relative to the sum of |products| (an f64 einsum of |inputs|).
    scale = np.einsum(to_letters(spec), *[np.abs(a.astype(np.float64)) for a in arrays])
    err = np.max(np.abs(got.astype(np.float64) - np.einsum(
        to_letters(spec), *[a.astype(np.float64) for a in arrays])) /
        np.maximum(scale, 1e-300), initial=0)
    if err > TOLERANCE[str(want.dtype)]:
        failures.append(f"{label}: {spec}: relative error {err:.3g}")


with tempfile.TemporaryDirectory() as tmp:
    for spec, shapes in CASES:
        for dtype in DTYPES:
            check(spec, [random_array(s, dtype) for s in shapes], tmp, dtype)
    # Fortran-order and rank-0 inputs.
    check("ij,jk->ik", [np.asfortranarray(random_array((5, 7), "float32")),
                        random_array((7, 3), "float32")], tmp, "fortran")
    check(",i->i", [np.array(2.5, dtype=np.float64),
                    random_array((4,), "float64")], tmp, "rank-0")
    # Mixed dtypes follow NumPy's promotion.
    for a, b in [("int32", "float32"), ("float16", "float32"), ("int32", "int64"),
                 ("float32", "float64")]:
        check("ij,jk->ik", [random_array((3, 4), a), random_array((4, 2), b)],
              tmp, f"{a}+{b}")
    # Failures: exit 1, message, and no output file.
    out = os.path.join(tmp, "bad-out.npy")
    bad = os.path.join(tmp, "bad.npy")
    with open(bad, "wb") as f:
        f.write(b"\x93NUMPY\x01\x00garbage")
    for args, what in [([bad, "-o", out], "malformed .npy"),
                       ([os.path.join(tmp, "missing.npy"), "-o", out], "missing file")]:
        proc = run(["ij->i"] + args, tmp)
        if proc.returncode != 1 or not proc.stderr.startswith("einsum-run: error:"):
            failures.append(f"{what}: exit {proc.returncode}: {proc.stderr.strip()}")
        if os.path.exists(out):
            failures.append(f"{what}: left an output file")
    np.save(os.path.join(tmp, "a.npy"), random_array((2, 3), "float32"))
    np.save(os.path.join(tmp, "b.npy"), random_array((4, 5), "float32"))
    proc = run(["ij,jk->ik", "a.npy", "b.npy", "-o", out], tmp)
    if proc.returncode != 1 or "size of label 'j' differs" not in proc.stderr:
        failures.append(f"shape mismatch: exit {proc.returncode}: {proc.stderr.strip()}")
    if os.path.exists(out):
        failures.append("shape mismatch: left an output file")

for failure in failures:
    print("FAIL:", failure)
print(f"numpy oracle: {count} einsums, {len(failures)} failure(s)")
sys.exit(1 if failures else 0)
