"""--max-memory bounds what einsum-run holds, measured: each run's peak
resident memory (os.wait4) less that of a run on tiny inputs (the process's
fixed overhead: libraries, the JIT) must stay within the bound, for .npy
inputs and random ones; a run that cannot fit is refused before it
allocates; a huge file that is not .npy fails on its first bytes.

usage: memory_bound.py EINSUM_RUN DIR"""

import os
import subprocess
import sys

import numpy as np

MIB = 1 << 20


def peak_rss(argv):
    """Exit code, stderr and peak RSS in bytes of one run."""
    with open(os.devnull, "wb") as devnull:
        process = subprocess.Popen(argv, stdout=devnull,
                                   stderr=subprocess.PIPE)
        _, status, usage = os.wait4(process.pid, 0)
        stderr = process.stderr.read().decode()
        process.stderr.close()
    return os.waitstatus_to_exitcode(status), stderr, usage.ru_maxrss * 1024


def main():
    einsum_run, out = sys.argv[1], sys.argv[2]
    failures = []

    def check(name, argv, bound, ok=True):
        # A child's peak includes this process's memory at the fork (Linux
        # keeps the high-water mark across exec): the baseline is measured
        # the same way, right before.
        _, _, base = peak_rss(tiny_run)
        code, stderr, peak = peak_rss([einsum_run] + argv)
        extra = peak - base
        print("%-34s exit %d, %6.1f MiB over the fixed overhead (bound %s)" %
              (name, code, extra / MIB,
               "%d MiB" % (bound // MIB) if bound else "-"))
        if (code == 0) != ok:
            failures.append("%s: exit %d: %s" % (name, code, stderr.strip()))
        if bound and extra > bound:
            failures.append("%s: %.1f MiB over the overhead, bound %d MiB" %
                            (name, extra / MIB, bound // MIB))
        return stderr

    tiny = os.path.join(out, "tiny.npy")
    np.save(tiny, np.ones((4, 4), dtype=np.float32))
    tiny_run = [einsum_run, "ij->ji", tiny, "-o",
                os.path.join(out, "tiny-out.npy")]
    # 128 MiB in, 128 MiB out: fits 320 MiB (an input read into three
    # copies, as before, would not).
    big = os.path.join(out, "big.npy")
    # (Written by a child, so that this process stays small.)
    subprocess.run([sys.executable, "-c",
                    "import numpy as np, sys; np.save(sys.argv[1], "
                    "np.ones((8192, 4096), dtype=np.float32))", big],
                   check=True)
    result = os.path.join(out, "big-out.npy")
    check("file input, 320M", ["ij->ji", big, "-o", result,
                               "--max-memory", "320M"], 320 * MIB)
    stderr = check("file input, 200M (refused)",
                   ["ij->ji", big, "-o", result, "--max-memory", "200M"],
                   16 * MIB, ok=False)
    if "more than the memory limit of 200.0 MiB" not in stderr:
        failures.append("refusal message: " + stderr)
    check("random input, 320M", ["ij->ji", "--shapes", "8192x4096",
                                 "--max-memory", "320M"], 320 * MIB)
    check("random, sum over inputs, 300M (refused)",
          ["ij,ij->ij", "--shapes", "8192x4096,8192x4096", "--max-memory",
           "300M"], 16 * MIB, ok=False)
    # A sparse 2 GiB file that is not .npy: only its header is read.
    junk = os.path.join(out, "junk.npy")
    with open(junk, "wb") as f:
        f.truncate(2 << 30)
    check("2 GiB junk file", ["ij->ji", junk, "-o", result], 16 * MIB,
          ok=False)
    check("/dev/zero", ["ij->ji", "/dev/zero", "-o", result], 16 * MIB,
          ok=False)
    for failure in failures:
        print("FAIL " + failure)
    print("memory bound: %d failures" % len(failures))
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
