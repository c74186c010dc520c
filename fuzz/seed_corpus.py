#!/usr/bin/env python3
"""Writes the seed inputs of fuzz/corpus/ (run once; the corpus grows by
`scripts/fuzz.sh --merge`). Seeds: the spec forms the project supports and
the errors it reports, .npy files of every dtype and layout, the dialect's
lit test cases, and a few JIT inputs."""

import hashlib
import io
import os
import re

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


def write(kind, data):
    if isinstance(data, str):
        data = data.encode()
    name = hashlib.sha1(data).hexdigest()[:16]
    path = os.path.join(HERE, "corpus", kind, name)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as fp:
        fp.write(data)


SPECS = [
    "ij,jk->ik", "bik,bkj->bij", "bqhd,bkhd->bhqk", "ii->", "ii->i", "ij->ji",
    "i,j->ij", "...ij,...jk->...ik", "...i,...i", "bi,ij,bj->b", "ij,jk",
    "pi,qj,ijkl,rk,sl->pqrs", "ea,fb,abcd,gc,hd->efgh", "ij,ij,ij->",
    "batch seqQ n_head d_head, batch seqK n_head d_head -> batch n_head seqQ seqK",
    "batch ... d, d e -> batch ... e", "a b c, c d -> a b d", "ij, jk -> ik",
    ",->", "i,->i", "", "->", "i->ii", "ij->k", "i..j->", "....->", "ij-", "ij->->",
    "i j k,->", "1a->a", "ab,cd,ef,gh,ij,kl,mn,op->", "aAbB->BbAa", "...->...",
    "x" * 60 + "->", " ".join(f"l{i}" for i in range(100)) + " ->",
]
for spec in SPECS:
    write("spec", spec)
    write("spec", spec + "\0" + "\x02\x03\x01\x04\x00\xff\x02")

dtypes = [np.float32, np.float64, np.int32, np.int64, np.float16]
for dtype in dtypes:
    for shape in [(), (3,), (2, 3), (2, 1, 4)]:
        a = (np.arange(int(np.prod(shape))) % 7).astype(dtype).reshape(shape)
        for order in ("C", "F"):
            buf = io.BytesIO()
            np.save(buf, np.asarray(a, order=order))
            write("npy", buf.getvalue())
buf = io.BytesIO()
np.save(buf, np.zeros((2, 2), dtype=np.float32))
good = buf.getvalue()
write("npy", good[:20])                     # truncated header
write("npy", good[:-3])                     # truncated data
write("npy", good.replace(b"<f4", b">f4"))  # big-endian
write("npy", good.replace(b"(2, 2)", b"(9, 9)"))

for test in ["ops.mlir", "invalid.mlir", "contraction-order.mlir",
             "lower-attention.mlir"]:
    text = open(os.path.join(ROOT, "test", "Dialect", "Einsum", test)).read()
    for part in text.split("// -----"):
        part = re.sub(r"^//.*$", "", part, flags=re.M).strip()
        if part:
            write("mlir", part)

for seed in range(16):
    write("jit", bytes((seed * 37 + i * 11) % 256 for i in range(64)))
