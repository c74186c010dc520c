"""Signs of zero: an einsum without summation gives each element's value
exactly (a copy keeps -0.0, a product has IEEE's sign), one with summation
starts at +0.0 as NumPy's sums do. Compares the sign bit of every element
with numpy.einsum's, or for products with NumPy's broadcast multiply (NumPy's
einsum adds its outer product to +0.0, losing the sign its elementwise
product keeps).

usage: negative_zero.py EINSUM_RUN DIR"""

import os
import subprocess
import sys

import numpy as np

CASES = [("i->i", 1), ("ij->ij", 1), ("...->...", 1), ("ij", 1), ("ii->i", 1),
         ("ij->ji", 1), ("ijk->kji", 1), ("i,j->ij", 2), ("ij,ij->ij", 2),
         ("ij->", 1), ("ij->i", 1), ("ij,jk->ik", 2)]
PRODUCTS = {"i,j->ij": lambda a, b: a[:, None] * b[None, :],
            "ij,ij->ij": lambda a, b: a * b}


def main():
    einsum_run, out = sys.argv[1], sys.argv[2]
    failures = 0
    for dtype in (np.float32, np.float64):
        for spec, count in CASES:
            rank = len(spec.split(",")[0].split("->")[0].replace("...", "a"))
            shape = (3,) * rank
            operand = np.full(shape, -0.0, dtype=dtype)
            # Mixed signs too, so a copy is not just "all negative".
            operand.flat[::2] = 0.0
            paths = []
            for index in range(count):
                path = os.path.join(out, "z%d.npy" % index)
                np.save(path, operand)
                paths.append(path)
            result = os.path.join(out, "result.npy")
            subprocess.run([einsum_run, spec, *paths, "-o", result],
                           check=True, stdout=subprocess.DEVNULL)
            got = np.load(result)
            want = (PRODUCTS[spec](operand, operand) if spec in PRODUCTS
                    else np.einsum(spec, *([operand] * count)))
            if not np.array_equal(np.signbit(got), np.signbit(want)):
                print("FAIL %s %s: got %s, NumPy %s" %
                      (spec, np.dtype(dtype).name, got.ravel(), want.ravel()))
                failures += 1
    print("negative zero: %d failures" % failures)
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
