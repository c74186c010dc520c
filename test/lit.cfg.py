# -*- Python -*-
# lit configuration for the einsum regression tests.

import os

import lit.formats
from lit.llvm import llvm_config

config.name = "EINSUM"
config.test_format = lit.formats.ShTest(not llvm_config.use_lit_shell)
config.suffixes = [".mlir", ".test"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.einsum_obj_root, "test")
config.excludes = ["CMakeLists.txt", "README.txt", "lit.cfg.py", "lit.site.cfg.py",
                   "Inputs"]

config.substitutions.append(("%PATH%", config.environment["PATH"]))
llvm_config.with_system_environment(["HOME", "INCLUDE", "LIB", "TMP", "TEMP"])
llvm_config.use_default_substitutions()

# The project's tools first, then LLVM's (FileCheck, not, count).
llvm_config.with_environment("PATH", config.llvm_tools_dir, append_path=True)
tool_dirs = [config.einsum_tools_dir, config.llvm_tools_dir]
llvm_config.add_tool_substitutions(
    ["einsum-opt", "einsum-run", "einsum-attention-example"], tool_dirs)
llvm_config.add_tool_substitutions(["llvm-objdump"], [config.llvm_tools_dir])

# Debian's Python with NumPy, the independent oracle of the .npy tests.
import subprocess
config.substitutions.append(("%python", "/usr/bin/python3"))
if subprocess.run(["/usr/bin/python3", "-c", "import numpy"],
                  capture_output=True).returncode == 0:
    config.available_features.add("numpy")

# ASan+UBSan builds (scripts/test.sh --sanitize): the sanitizer's own memory
# (shadow, quarantine) makes peak-memory measurements meaningless there.
if getattr(config, "einsum_sanitize", "OFF").upper() in ("ON", "TRUE", "1"):
    config.available_features.add("sanitize")

# The CPU the tests compile for: the host, or the one named by the lit
# parameter target_cpu (`lit --param target_cpu=haswell`, the ctest test
# lit-haswell). einsum-run reads it from EINSUM_TARGET_CPU; tests whose
# output depends on the target pin it with --target-cpu themselves.
target_cpu = lit_config.params.get("target_cpu")
einsum_run = os.path.join(config.einsum_tools_dir, "einsum-run")
if target_cpu:
    config.name += " [" + target_cpu + "]"
    # Outputs (%t) of its own: ctest runs this suite next to the host's.
    config.test_exec_root = os.path.join(config.einsum_obj_root,
                                         "test-" + target_cpu)
    config.environment["EINSUM_TARGET_CPU"] = target_cpu
    # A target the host cannot run: nothing to test here.
    probe = subprocess.run([einsum_run, "i->i", "--shapes", "1",
                            "--target-cpu", target_cpu],
                           capture_output=True, text=True)
    if probe.returncode != 0:
        lit_config.note("target %s: not run on this host (%s)" %
                        (target_cpu, probe.stderr.strip()))
        config.unsupported = True

# The target's vector ISA, for tests of the native code itself: read off
# the target line of --explain ("target: haswell: AVX2+FMA, ...").
explain = subprocess.run([einsum_run, "i->i", "--shapes", "1", "--explain",
                          "--target-cpu", target_cpu or "host"],
                         capture_output=True, text=True).stdout
target_line = next((l for l in explain.splitlines()
                    if l.startswith("target:")), "")
if "AVX-512" in target_line:
    config.available_features.update(["avx512f", "avx2"])
elif "AVX2" in target_line:
    config.available_features.add("avx2")
