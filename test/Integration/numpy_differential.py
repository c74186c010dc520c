#!/usr/bin/env python3
"""Differential test of einsum-run against numpy.einsum (Debian's
python3-numpy as the oracle).

Random valid einsums: 1 to 5 operands, repeated labels (diagonals), '...'
with size-1 broadcasting, implicit and explicit outputs, compact and named
notation, sizes 0 to 4, every dtype NumPy and .npy share (f32, f64, i32,
i64, f16, and mixed), C-order, Fortran-order and transposed inputs. Each is
run as `einsum-run SPEC a.npy ... -o out.npy` and compared with
numpy.einsum: same dtype, same shape, values within 64 epsilon of the
result's dtype relative to the sum of |products| (exact for integers).

Then NumPy's own einsum error cases: each must be rejected by NumPy and by
einsum-run (exit 1, a one-line "einsum-run: error:" message) - except the
documented differences listed in DIFFERENCES.

With --large, the sizes are the ones the vectorized code paths take apart
(1 to 130: whole vectors, one more, one less, primes; at most 3 operands of
rank 3 and 2 million loop iterations): packed GEMMs and their edges, split
reductions and lane sums, transposes, unit dims.

Usage: numpy_differential.py EINSUM_RUN [--cases N] [--seed S] [--large]
Prints one line per failure and a summary; exits 1 on any failure.
"""

import argparse
import os
import shutil
import subprocess
import sys
import tempfile

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "..", "scripts"))
from einsum_notation import to_letters  # noqa: E402

parser = argparse.ArgumentParser()
parser.add_argument("einsum_run")
parser.add_argument("--cases", type=int, default=300)
parser.add_argument("--seed", type=int, default=2026)
parser.add_argument("--large", action="store_true",
                    help="sizes up to 130 (the vector paths), at most 3 operands")
args = parser.parse_args()
EINSUM_RUN = os.path.abspath(shutil.which(args.einsum_run) or args.einsum_run)
rng = np.random.default_rng(args.seed)

LETTERS = "abcdefghij"
NAMES = ["batch", "seq", "head", "d", "x1", "k_", "Ab", "t", "row", "col"]
DTYPES = ["float32", "float64", "int32", "int64", "float16"]
EPS = {"float16": 2.0 ** -10, "float32": 2.0 ** -23, "float64": 2.0 ** -52}


LARGE_SIZES = [1, 2, 3, 5, 7, 15, 16, 17, 31, 32, 33, 48, 63, 64, 65, 100,
               127, 130]
LARGE_ITERATIONS = 2_000_000


def random_case():
    if args.large:
        while True:
            spec, shapes, iterations = random_case_of(
                lambda n: [int(rng.choice(LARGE_SIZES)) for _ in range(n)], 4)
            if iterations <= LARGE_ITERATIONS:
                return spec, shapes
    spec, shapes, _ = random_case_of(
        lambda n: [int(rng.choice([0, 1, 1, 2, 3, 4, 4])) if rng.random() < 0.15
                   else int(rng.integers(1, 5)) for _ in range(n)], 6)
    return spec, shapes


def random_case_of(draw_sizes, max_operands):
    """A random einsum with label sizes from draw_sizes(count), 1 to
    max_operands - 1 operands; returns (spec, shapes, loop-nest iterations)."""
    n_labels = int(rng.integers(1, 7))
    sizes = draw_sizes(n_labels)
    ellipsis_dims = [int(rng.integers(1, 4)) for _ in range(int(rng.integers(0, 3)))]
    use_ellipsis = rng.random() < 0.25
    operands = int(rng.integers(1, max_operands))
    terms, shapes = [], []
    used = set()
    for _ in range(operands):
        rank = int(rng.integers(0, 4))
        if args.large and rng.random() < 0.9:
            # Mostly contractions, transposes and reductions: distinct
            # labels, rank 1 to 3.
            rank = min(max(rank, 1), n_labels)
            labels = [int(l) for l in rng.choice(n_labels, rank, replace=False)]
        else:
            labels = [int(rng.integers(0, n_labels)) for _ in range(rank)]
        used.update(labels)
        shape = [sizes[l] for l in labels]
        term = [LETTERS[l] for l in labels]
        if use_ellipsis and rng.random() < 0.7:
            keep = int(rng.integers(0, len(ellipsis_dims) + 1))
            dims = [1 if rng.random() < 0.25 else
                    (d + 1 if rng.random() < 0.03 else d)  # may not broadcast
                    for d in ellipsis_dims[len(ellipsis_dims) - keep:]]
            at = int(rng.integers(0, rank + 1))
            term.insert(at, "...")
            shape[at:at] = dims
        terms.append(term)
        shapes.append(tuple(shape))
    any_ellipsis = any("..." in t for t in terms)
    if rng.random() < 0.35:
        output = None  # implicit
    else:
        output = [LETTERS[l] for l in sorted(used) if rng.random() < 0.5]
        rng.shuffle(output)
        if any_ellipsis:
            output.insert(int(rng.integers(0, len(output) + 1)), "...")
    named = rng.random() < 0.3 and any(len(t) >= 2 for t in terms)
    def text(term):
        if named:
            return " ".join(NAMES[LETTERS.index(x)] if x != "..." else "..."
                            for x in term)
        return "".join(term)
    spec = (", " if named else ",").join(text(t) for t in terms)
    if output is not None:
        spec += (" -> " if named else "->") + text(output)
    iterations = 1
    for label in used:
        iterations *= sizes[label]
    for dim in ellipsis_dims:
        iterations *= dim
    return spec, shapes, iterations


def random_array(shape, dtype):
    if np.dtype(dtype).kind == "i":
        a = rng.integers(-5, 6, size=shape).astype(dtype)
    else:
        a = rng.uniform(-1, 1, size=shape).astype(dtype)
    layout = rng.random()
    if layout < 0.2 and a.ndim >= 2:
        a = np.asfortranarray(a)  # saved with fortran_order
    elif layout < 0.35 and a.ndim >= 2:
        a = np.ascontiguousarray(a.T).T  # a transposed view (F-contiguous)
    return a


failures = []
count = 0
numpy_rejects = 0


def run(argv, tmp):
    return subprocess.run([EINSUM_RUN] + argv, capture_output=True, text=True,
                          cwd=tmp)


def explicit(spec):
    """A named spec with an implicit output, made explicit by the spec
    language's rule ('...' first, then the labels used once, sorted by name):
    the letters NumPy gets would sort differently."""
    if "->" in spec or " " not in spec.strip():
        return spec
    names = spec.replace("...", " ... ").replace(",", " ").split()
    once = sorted(n for n in set(names) if n != "..." and names.count(n) == 1)
    return spec + " -> " + " ".join((["..."] if "..." in names else []) + once)


def compare(spec, arrays, tmp):
    global count, numpy_rejects
    letters = to_letters(explicit(spec))
    paths = []
    for i, a in enumerate(arrays):
        paths.append(os.path.join(tmp, f"in{i}.npy"))
        np.save(paths[-1], a)
    out = os.path.join(tmp, "out.npy")
    if os.path.exists(out):
        os.remove(out)
    proc = run([spec] + paths + ["-o", out], tmp)
    what = f"{spec!r} {[a.shape for a in arrays]} {[str(a.dtype) for a in arrays]}"
    try:
        want = np.asarray(np.einsum(letters, *arrays))
    except Exception:
        # e.g. '...' dims that do not broadcast: we must reject it too.
        numpy_rejects += 1
        if proc.returncode != 1 or os.path.exists(out):
            failures.append(f"FAIL: {what}: numpy rejects it, einsum-run "
                            f"exit {proc.returncode}")
        return
    count += 1
    if proc.returncode != 0:
        failures.append(f"FAIL: {what}: exit {proc.returncode}: {proc.stderr.strip()}")
        return
    got = np.load(out)
    # NumPy 1.x promotes 0-d operands by value; the spec language follows
    # the dtype-only rule (NumPy 2, NEP 50): compare against that.
    want = want.astype(np.result_type(*[a.dtype for a in arrays]))
    if got.dtype != want.dtype or got.shape != want.shape:
        failures.append(f"FAIL: {what}: got {got.dtype}{got.shape}, numpy "
                        f"{want.dtype}{want.shape}")
        return
    if want.dtype.kind == "i":
        if not np.array_equal(got, want):
            failures.append(f"FAIL: {what}: integer results differ")
        return
    exact = np.einsum(letters, *[a.astype(np.float64) for a in arrays])
    magnitude = np.einsum(letters, *[np.abs(a.astype(np.float64)) for a in arrays])
    tol = 64 * EPS[str(want.dtype)]
    err = np.abs(got.astype(np.float64) - exact)
    # Plus half the smallest subnormal: results that small (f16 below
    # 6e-5) cannot be closer than that.
    floor = float(np.finfo(want.dtype).smallest_subnormal) / 2
    bad = err > tol * np.maximum(magnitude, 1e-30) + floor
    if np.any(bad):
        failures.append(f"FAIL: {what}: max error {err.max():.3g} "
                        f"(magnitude {magnitude.max():.3g})")


# NumPy's own error cases (numpy/_core/tests/test_einsum.py, test_einsum_errors
# and friends): (spec, operand shapes). NumPy rejects each; so must we.
ERROR_CASES = [
    ("", [(2,)]),                    # no subscripts for an operand
    ("i", []),                        # no operands
    ("i,i", [(2,)]),                  # fewer operands than terms
    ("i", [(2,), (2,)]),              # more operands than terms
    ("i->ii", [(2,)]),                # repeated output label
    ("i->j", [(2,)]),                 # output label in no operand
    ("ij", [(2,)]),                   # too many subscripts for the operand
    ("i", [(2, 2)]),                  # too few subscripts
    ("ii", [(2, 3)]),                 # repeated label, different sizes
    ("ij,jk", [(2, 3), (4, 5)]),      # label sizes differ
    ("i..j->ij", [(2, 2)]),           # malformed ellipsis
    ("i.j->ij", [(2, 2)]),
    ("...i...->i", [(2, 2)]),         # two ellipses in a term
    ("ij->i-", [(2, 2)]),             # stray '-'
    ("ij->>i", [(2, 2)]),
    ("ij->i->j", [(2, 2)]),           # two arrows
    ("i$j", [(2, 2)]),                # invalid character
    ("i,j->i,j", [(2,), (2,)]),       # comma in the output
    ("1i", [(2,)]),                   # a digit
    ("...i,...i", [(2, 3), (4, 3)]),  # '...' dims that do not broadcast
]
# Accepted by NumPy, rejected here on purpose (documented in README):
DIFFERENCES = [
    ("i,i->i", [(1,), (3,)]),  # labels do not broadcast size 1
]


def check_errors(tmp):
    for spec, shapes in ERROR_CASES:
        arrays = [np.ones(s, dtype=np.float32) for s in shapes]
        try:
            np.einsum(spec, *arrays)
            failures.append(f"FAIL: numpy accepted error case {spec!r} {shapes}")
            continue
        except Exception:
            pass
        paths = []
        for i, a in enumerate(arrays):
            paths.append(os.path.join(tmp, f"e{i}.npy"))
            np.save(paths[-1], a)
        proc = run([spec] + paths + ["-o", os.path.join(tmp, "e.npy")], tmp)
        first = proc.stderr.strip().splitlines()[:1]
        if proc.returncode == 0:
            failures.append(f"FAIL: accepted {spec!r} {shapes}, which numpy rejects")
        elif proc.returncode == 2 and not shapes:
            pass  # usage error: no inputs given at all
        elif not first or not first[0].startswith("einsum-run: error:"):
            failures.append(f"FAIL: {spec!r} {shapes}: exit {proc.returncode}, "
                            f"message {first}")
    for spec, shapes in DIFFERENCES:
        arrays = [np.ones(s, dtype=np.float32) for s in shapes]
        np.einsum(spec, *arrays)  # numpy accepts
        paths = []
        for i, a in enumerate(arrays):
            paths.append(os.path.join(tmp, f"d{i}.npy"))
            np.save(paths[-1], a)
        if run([spec] + paths, tmp).returncode != 1:
            failures.append(f"FAIL: documented difference {spec!r} no longer holds")


with tempfile.TemporaryDirectory() as tmp:
    check_errors(tmp)
    generated = 0
    while count < args.cases:
        spec, shapes = random_case()
        generated += 1
        if rng.random() < 0.15:  # mixed dtypes
            dtypes = [str(rng.choice(DTYPES)) for _ in shapes]
        else:
            dtypes = [str(rng.choice(DTYPES))] * len(shapes)
        arrays = [random_array(s, d) for s, d in zip(shapes, dtypes)]
        compare(spec, arrays, tmp)

for line in failures:
    print(line)
print(f"numpy differential: {count} einsums, {numpy_rejects} generated ones "
      f"numpy rejects (rejected here too), {len(ERROR_CASES)} error cases, "
      f"{len(failures)} failure(s)")
sys.exit(1 if failures else 0)
