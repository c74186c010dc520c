"""Writes .npy files whose headers NumPy writes or reads in forms a naive
reader gets wrong (hostile-input.test reads them with einsum-run):
double-quoted keys, a key given twice (the last wins, as in a dict
literal), a structured dtype, a header nested deeper than any real one,
and a raw 0xFF byte in the dtype.

usage: npy_quirks.py DIR"""

import os
import sys

import numpy as np


def write(path, header, data=b""):
    header = header.encode("latin-1") if isinstance(header, str) else header
    padded = header + b" " * ((64 - (10 + len(header) + 1) % 64) % 64) + b"\n"
    with open(path, "wb") as out:
        out.write(b"\x93NUMPY\x01\x00" + len(padded).to_bytes(2, "little"))
        out.write(padded + data)


def main():
    out = sys.argv[1]
    data = np.arange(6, dtype=np.float32).tobytes()
    write(os.path.join(out, "double-quotes.npy"),
          '{"descr": "<f4", "fortran_order": False, "shape": (2, 3), }', data)
    # NumPy reads these the way einsum-run must.
    array = np.load(os.path.join(out, "double-quotes.npy"))
    assert array.shape == (2, 3), array.shape
    write(os.path.join(out, "two-shapes.npy"),
          "{'descr': '<f4', 'shape': (2, 3), 'fortran_order': False, "
          "'shape': (6,), }", data)
    assert np.load(os.path.join(out, "two-shapes.npy")).shape == (6,)
    np.save(os.path.join(out, "structured.npy"),
            np.zeros(3, dtype=[("a", "<f4"), ("b", "<i4")]))
    write(os.path.join(out, "nested.npy"),
          "{'descr': " + "(" * 200 + ")" * 200 + "}")
    write(os.path.join(out, "byte.npy"),
          b"{'descr': '<f\xff', 'fortran_order': False, 'shape': (6,), }", data)


if __name__ == "__main__":
    main()
