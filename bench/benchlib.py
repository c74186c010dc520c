"""What the side-by-side benchmarks share (bench/compare.py, bench/tccg.py):
running this project's einsum-run and the peers (NumPy, torch.einsum,
OpenBLAS) on one case, each in its own process, for a target ISA; the
machine's measured limits; geometric means.

Targets: "host" runs every participant with what this CPU has. "avx2" runs
every participant as on an AVX2 + FMA CPU, so AVX2 figures are measured
fairly on an AVX-512 machine: our kernels are compiled for Haswell
(einsum-run --target-cpu haswell), OpenBLAS uses its Haswell (or Zen)
kernel, torch its AVX2 kernels (ATEN_CPU_CAPABILITY=avx2), NumPy has its
AVX-512 dispatch turned off (NPY_DISABLE_CPU_FEATURES), and the FMA peak is
measured with 256-bit vectors.
"""

import json
import math
import os
import platform
import shutil
import subprocess
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)

NUMPY_AVX512 = ("AVX512F AVX512CD AVX512_KNL AVX512_KNM AVX512_SKX "
                "AVX512_CLX AVX512_CNL AVX512_ICL AVX512_SPR")

# target -> einsum-run flags, OpenBLAS kernels to try (None: its own
# choice), environment of the peers, -march of bench/machine.c.
TARGETS = {
    "host": {"ours": [], "coretypes": [None, "SkylakeX", "Cooperlake", "Haswell"],
             "env": {}, "march": "native"},
    "avx2": {"ours": ["--target-cpu", "haswell"], "coretypes": ["Haswell", "Zen"],
             "env": {"ATEN_CPU_CAPABILITY": "avx2",
                     "NPY_DISABLE_CPU_FEATURES": NUMPY_AVX512},
             "march": "haswell"},
}

# Runs the peers for one case in a fresh process (OpenBLAS fixes its kernel
# at load time). Prints one JSON line of median seconds per peer; with
# "select", only the peer that decides OpenBLAS's kernel, briefly.
PEER_SCRIPT = r"""
import json, sys, time
import numpy as np
case = json.loads(sys.argv[1]); threads = int(sys.argv[2])
select = len(sys.argv) > 3 and sys.argv[3] == "select"
BUDGET = 0.3 if select else 1.0
spec, form = case["numpy_spec"], case["form"]
out = {}
try:
    from threadpoolctl import threadpool_info
    info = [i for i in threadpool_info() if i.get("internal_api") == "openblas"]
    out["openblas_kernel"] = info[0].get("architecture") if info else "unknown"
except Exception:
    out["openblas_kernel"] = "unknown"
rng = np.random.default_rng(0)
ops = [rng.standard_normal(s).astype(np.float32) for s in case["shapes"]]
# out[peer]: the median seconds of f after a warm-up run; out[peer + "_min"]:
# the fastest run.
def timed(peer, f, budget=BUDGET):
    t = time.perf_counter(); f(); first = time.perf_counter() - t
    n = max(3, min(30, int(budget / max(first, 1e-6))))
    ts = []
    for _ in range(n):
        t = time.perf_counter(); f(); ts.append(time.perf_counter() - t)
    ts.sort()
    out[peer], out[peer + "_min"] = ts[len(ts) // 2], ts[0]
if form == "gemm":
    timed("openblas", lambda: ops[0] @ ops[1])
elif form == "gemv":
    timed("openblas", lambda: ops[0] @ ops[1])
elif form == "bmm":
    timed("openblas", lambda: np.matmul(ops[0], ops[1]))
elif form == "scores":   # Q[b,h,q,d] @ K[b,h,d,k], pre-transposed
    q = np.ascontiguousarray(ops[0].transpose(0, 2, 1, 3))
    k = np.ascontiguousarray(ops[1].transpose(0, 2, 3, 1))
    timed("openblas", lambda: q @ k)
elif form == "attnout":  # P[b,h,q,k] @ V[b,h,k,d], pre-transposed
    v = np.ascontiguousarray(ops[1].transpose(0, 2, 1, 3))
    timed("openblas", lambda: ops[0] @ v)
elif form == "gemm4":    # (ab)x(cd) @ (cd)x(ef)
    a = ops[0].reshape(1024, 1024); b = ops[1].reshape(1024, 1024)
    timed("openblas", lambda: a @ b)
# einsum may return a view (transposes); a result must be materialized.
if select or case.get("only_openblas"):
    if select and not form:
        timed("numpy_opt",
              lambda: np.ascontiguousarray(np.einsum(spec, *ops, optimize=True)))
    print(json.dumps(out)); sys.exit(0)
timed("numpy_opt",
      lambda: np.ascontiguousarray(np.einsum(spec, *ops, optimize=True)))
if case["iterations"] <= 3e8 and not case.get("no_noopt"):
    timed("numpy_noopt",
          lambda: np.ascontiguousarray(np.einsum(spec, *ops, optimize=False)))
try:
    import torch
    torch.set_num_threads(threads)
    tops = [torch.from_numpy(o) for o in ops]
    timed("torch", lambda: torch.einsum(spec, *tops).contiguous())
except Exception as e:
    out["torch_error"] = str(e)
print(json.dumps(out))
"""

PEERS = ["openblas", "numpy_opt", "numpy_noopt", "torch"]


def peer_process(case, threads, coretype, target="host", select=False):
    """The peers' JSON result for `case` (see PEER_SCRIPT), or None."""
    n = str(threads)
    env = dict(os.environ, OPENBLAS_NUM_THREADS=n, OMP_NUM_THREADS=n,
               MKL_NUM_THREADS=n, **TARGETS[target]["env"])
    env.pop("OPENBLAS_CORETYPE", None)
    if coretype:
        env["OPENBLAS_CORETYPE"] = coretype
    proc = subprocess.run(["/usr/bin/python3", "-c", PEER_SCRIPT,
                           json.dumps(case), n] + (["select"] if select else []),
                          env=env, capture_output=True, text=True)
    if proc.returncode != 0:
        return None
    return json.loads(proc.stdout.strip().splitlines()[-1])


def choose_coretype(case, threads, target="host"):
    """OpenBLAS's fastest kernel for the target (None: its own choice), from
    a short run per candidate that is not counted in the results."""
    if not case["form"]:
        # The kernel matters less (torch and NumPy call OpenBLAS inside
        # einsum): the target's first candidate.
        return TARGETS[target]["coretypes"][0]
    best, best_time = None, None
    for coretype in TARGETS[target]["coretypes"]:
        result = peer_process(case, threads, coretype, target, select=True)
        if result and "openblas" in result and (
                best_time is None or result["openblas"] < best_time):
            best, best_time = coretype, result["openblas"]
    return best


def run_peers(case, threads, coretype, target="host"):
    result = peer_process(case, threads, coretype, target) or {}
    result["coretype"] = coretype or "auto"
    return result


def run_ours(build, spec, shapes, threads, target="host"):
    """einsum-run --bench --json's result for the case, or (None, error)."""
    proc = subprocess.run(
        [os.path.join(build, "bin", "einsum-run"), spec, "--shapes",
         ",".join("x".join(map(str, s)) for s in shapes),
         "--bench", "--json", "--threads", str(threads)] + TARGETS[target]["ours"],
        capture_output=True, text=True)
    if proc.returncode != 0:
        return None, proc.stderr.strip()
    return json.loads(proc.stdout.strip().splitlines()[-1]), None


def machine_limits(target="host"):
    """Single-core f32 FMA peak (GFLOP/s) and copy bandwidth (GB/s, bytes
    read + written by a 256 MiB memcpy), measured by bench/machine.c with
    the target's vectors."""
    cc = shutil.which("cc") or shutil.which("gcc")
    if not cc:
        return None, None
    with tempfile.TemporaryDirectory() as tmp:
        exe = os.path.join(tmp, "machine")
        if subprocess.run([cc, "-O2", "-march=" + TARGETS[target]["march"],
                           os.path.join(HERE, "machine.c"), "-o", exe]).returncode:
            return None, None
        out = subprocess.run([exe], capture_output=True, text=True).stdout
    values = dict(line.split() for line in out.splitlines() if line.strip())
    return float(values["fma_gflops"]), float(values["copy_gbs"])


def geomean(values):
    values = [v for v in values if v and v > 0]
    return math.exp(sum(map(math.log, values)) / len(values)) if values else None


def cpu_name():
    try:
        with open("/proc/cpuinfo") as fp:
            for line in fp:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def keep_best(kept, peers, ours, error):
    """Folds one round's results of a case into `kept`: each participant's
    best median (and fastest single run) over the rounds."""
    timings = PEERS + [p + "_min" for p in PEERS]
    for key in timings + ["openblas_kernel", "coretype", "torch_error"]:
        if key in peers and (key not in timings or key not in kept
                             or peers[key] < kept[key]):
            kept[key] = peers[key]
    if ours:
        if "ours" not in kept or ours["median_ms"] < kept["ours"]["median_ms"]:
            kept["ours"] = ours
        kept["ours_min_ms"] = min(kept.get("ours_min_ms", math.inf),
                                  ours["min_ms"])
    else:
        kept.setdefault("error", error)


def print_targets(title, checks):
    """Prints a done-when list: (text, measured value as text, met?)."""
    print(title)
    for text, value, ok in checks:
        mark = {True: "met", False: "NOT MET", None: "not measured"}[ok]
        print(f"  {mark:12} {value:>7}  {text}")


def targets_markdown(checks):
    """The done-when list as the lines of a markdown table."""
    lines = ["", "| target | measured | met |", "|---|---|---|"]
    for text, value, ok in checks:
        lines.append(f"| {text} | {value} | "
                     f"{ {True: 'yes', False: '**no**', None: 'n/a'}[ok]} |")
    return lines


def pyplot():
    """matplotlib's pyplot without a display, or None (no chart)."""
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        return plt
    except Exception as e:
        print("no chart:", e)
        return None
