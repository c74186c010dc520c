"""Every --json output of einsum-run is one line of valid JSON (the plan's
line breaks escaped), with the documented keys.

usage: json_output.py EINSUM_RUN"""

import json
import subprocess
import sys

RUNS = [
    (["ij,jk->ik", "--shapes", "64x64,64x64", "--explain", "--json"],
     ["spec", "shapes", "dtype", "free", "summation", "naive_flops", "flops",
      "path", "plan"]),
    (["pi,qj,ijkl,rk,sl->pqrs", "--sizes",
      "p=8,q=8,r=8,s=8,i=8,j=8,k=8,l=8", "--explain", "--json"],
     ["path", "plan"]),
    (["batch seq d, batch d -> batch seq", "--sizes", "batch=2,seq=4,d=3",
      "--explain", "--json"], ["free", "plan"]),
    (["ij,jk->ik", "--shapes", "32x16,16x8", "--bench", "--repeat", "2",
      "--json", "--check"],
     ["spec", "median_ms", "gflops", "runs", "check", "max_rel_error"]),
    (["--attention", "--sizes", "batch=1,seq=64,n_head=2,d_head=16",
      "--explain", "--json"], ["attention", "plan", "flops"]),
    (["--attention", "--sizes", "batch=1,seq=64,n_head=2,d_head=16",
      "--bench", "--repeat", "2", "--json"], ["variant", "median_ms"]),
]


def main():
    failures = 0
    for argv, keys in RUNS:
        out = subprocess.run([sys.argv[1]] + argv, check=True,
                             capture_output=True, text=True).stdout
        lines = out.splitlines()
        try:
            if len(lines) != 1:
                raise ValueError("%d lines" % len(lines))
            record = json.loads(lines[0])
            missing = [key for key in keys if key not in record]
            if missing:
                raise ValueError("missing keys %s" % missing)
        except ValueError as error:
            print("FAIL %s: %s\n%s" % (" ".join(argv), error, out))
            failures += 1
    print("json output: %d failures" % failures)
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
