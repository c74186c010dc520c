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
config.excludes = ["CMakeLists.txt", "README.txt", "lit.cfg.py", "lit.site.cfg.py"]

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

# Host CPU features, for tests of the native code itself.
try:
    with open("/proc/cpuinfo") as cpuinfo:
        flags = next((l for l in cpuinfo if l.startswith("flags")), "").split()
except OSError:
    flags = []
for feature in ("avx512f", "avx2"):
    if feature in flags:
        config.available_features.add(feature)
