"""Long einsums: planning stays near-linear up to the documented limits
(1024 operands, 4096 labels, 64 dimensions per tensor), and beyond them
einsum-run says which limit. Each run has a time limit against hangs, not
a benchmark (the planner's speed is shown by unittests/Path: a thousand
operands).

usage: plan_limits.py EINSUM_RUN"""

import subprocess
import sys

GUARD_SECONDS = 600


def run(einsum_run, spec, shapes, *extra):
    return subprocess.run([einsum_run, spec, "--shapes", ",".join(shapes),
                           *extra], capture_output=True, text=True,
                          timeout=GUARD_SECONDS)


def main():
    einsum_run = sys.argv[1]
    failures = []

    def expect(name, result, ok, text):
        output = result.stdout + result.stderr
        if (result.returncode == 0) != ok or text not in output:
            failures.append("%s: exit %d, expected %r in:\n%s" %
                            (name, result.returncode, text, output[-2000:]))

    n = 1000
    chain = ",".join("a%d a%d" % (i, i + 1) for i in range(n))
    expect("chain of 1000", run(einsum_run, chain + " -> a0 a%d" % n,
                                ["2x2"] * n, "--explain"),
           True, "contraction order: greedy (1000 operands, 999 steps)")
    expect("1000 vectors", run(einsum_run, ",".join(["i"] * n) + "->i",
                               ["2"] * n), True, "result: 2 f32")
    expect("1025 operands", run(einsum_run, ",".join(["i"] * 1025) + "->i",
                                ["2"] * 1025), False,
           "spec has 1025 operands; at most 1024 are supported")
    labels = " ".join("l%d" % i for i in range(10000))
    expect("10000 labels", run(einsum_run, labels + " -> " + labels,
                               ["1"]), False,
           "operand 0 has 10000 labels; a tensor has at most 64 dimensions")
    expect("65 labels", run(einsum_run, "a" * 65 + "->", ["1" * 1]), False,
           "a tensor has at most 64 dimensions")
    for failure in failures:
        print("FAIL " + failure)
    print("plan limits: %d failures" % len(failures))
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
