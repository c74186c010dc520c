// Every numeric option of the pipeline and the passes is range checked: a
// value out of range is an error naming the option, never a crash (nr=-5
// divided by zero in planTiles).
// Values in range compile, also a register tile narrower than a vector
// (nr=8 of 16 lanes divided by zero in planTiles; found by the pipeline
// fuzzer).
// RUN: einsum-opt %s --einsum-to-llvm="target-cpu=skylake-avx512 mr=0 nr=8 kc=5 mc=7 nc=9" | FileCheck %s --check-prefix=ODD
// RUN: einsum-opt %s --einsum-to-llvm="target-cpu=haswell mr=3 nr=5" | FileCheck %s --check-prefix=ODD
// ODD: llvm.func @gemm
// RUN: not einsum-opt %s --einsum-to-llvm="nr=-5" 2>&1 | FileCheck %s --check-prefix=NR
// RUN: not einsum-opt %s --einsum-to-llvm="mr=-1" 2>&1 | FileCheck %s --check-prefix=MR
// RUN: not einsum-opt %s --einsum-to-llvm="mr=100000" 2>&1 | FileCheck %s --check-prefix=MRBIG
// RUN: not einsum-opt %s --einsum-to-llvm="mc=-5" 2>&1 | FileCheck %s --check-prefix=MC
// RUN: not einsum-opt %s --einsum-to-llvm="kc=-5" 2>&1 | FileCheck %s --check-prefix=KC
// RUN: not einsum-opt %s --einsum-to-llvm="nc=99999999999" 2>&1 | FileCheck %s --check-prefix=NC
// RUN: not einsum-opt %s --einsum-to-llvm="vector-bits=7" 2>&1 | FileCheck %s --check-prefix=VB
// RUN: not einsum-opt %s --einsum-to-llvm="l1-bytes=-1" 2>&1 | FileCheck %s --check-prefix=L1
// RUN: not einsum-opt %s --einsum-to-llvm="l2-bytes=3" 2>&1 | FileCheck %s --check-prefix=L2
// RUN: not einsum-opt %s --einsum-to-llvm="threads=0" 2>&1 | FileCheck %s --check-prefix=THREADS
// RUN: not einsum-opt %s --einsum-to-llvm="memory-limit=-1" 2>&1 | FileCheck %s --check-prefix=LIMIT
// RUN: not einsum-opt %s --einsum-to-llvm="attention=flash" 2>&1 | FileCheck %s --check-prefix=ATT
// RUN: not einsum-opt %s --convert-einsum-to-linalg --einsum-cpu-plan="nr=-5" 2>&1 | FileCheck %s --check-prefix=NR
// RUN: not einsum-opt %s --convert-einsum-to-linalg --einsum-cpu-plan="layout mr=-1" 2>&1 | FileCheck %s --check-prefix=MR
// RUN: not einsum-opt %s --einsum-cpu-target="vector-bits=100000" 2>&1 | FileCheck %s --check-prefix=TARGETVB
// RUN: not einsum-opt %s --einsum-cpu-target="target-cpu=haswel" 2>&1 | FileCheck %s --check-prefix=TARGETCPU
// RUN: not einsum-opt %s --einsum-cpu-streaming-stores="min-bytes=-5" 2>&1 | FileCheck %s --check-prefix=STREAM
// RUN: not einsum-opt %s --convert-einsum-to-linalg --einsum-cpu-plan="layout min-reuse=9223372036854775807" 2>&1 | FileCheck %s --check-prefix=REUSE
// RUN: not einsum-opt %s --einsum-contraction-order="memory-limit=-3" 2>&1 | FileCheck %s --check-prefix=ORDER
// RUN: not einsum-opt %s --einsum-lower-attention="tile-q=0" 2>&1 | FileCheck %s --check-prefix=TILEQ

// NR: tiling option 'nr' is -5: expected 0 (choose) to 64
// MR: tiling option 'mr' is -1: expected 0 (choose) to 64
// MRBIG: tiling option 'mr' is 100000: expected 0 (choose) to 64
// MC: tiling option 'mc' is -5: expected 0 (choose) to 2^24
// KC: tiling option 'kc' is -5
// NC: tiling option 'nc' is 99999999999
// VB: tiling option 'vector-bits' is 7: expected 128, 256 or 512
// L1: tiling option 'l1-bytes' is -1: expected 1024 to 2^30 bytes
// L2: tiling option 'l2-bytes' is 3
// THREADS: option 'threads' is 0: expected 1 to 1024
// LIMIT: option 'memory-limit' is -1: expected a number of elements >= 0
// ATT: option 'attention' is 'flash': expected auto, fused or unfused
// TARGETVB: einsum-cpu-target: tiling option 'vector-bits' is 100000: expected 128, 256 or 512
// TARGETCPU: einsum-cpu-target: unknown target CPU 'haswel'{{.*}}did you mean 'haswell'?
// STREAM: option 'min-bytes' is -5
// REUSE: option 'min-reuse' is 9223372036854775807: expected 0 to 1048576
// ORDER: option 'memory-limit' is -3: expected a number of elements >= 0
// TILEQ: einsum-lower-attention: tile sizes must be positive

func.func @gemm(%a: tensor<64x32xf32>, %b: tensor<32x48xf32>) -> tensor<64x48xf32> {
  %r = einsum.contract "ij,jk->ik" ins(%a, %b : tensor<64x32xf32>, tensor<32x48xf32>) -> tensor<64x48xf32>
  return %r : tensor<64x48xf32>
}
