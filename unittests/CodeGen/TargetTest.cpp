//===- TargetTest.cpp - The target CPU code is generated for --------------===//

#include "Einsum/CodeGen/Target.h"
#include "Einsum/CodeGen/TilePlan.h"
#include "Einsum/Runtime/JIT.h"

#include "gtest/gtest.h"

using namespace einsum;

namespace {

std::string errorOf(llvm::Error error) {
  return error ? llvm::toString(std::move(error)) : std::string();
}

TEST(TargetTest, NamedCPUsHaveTheirVectorISA) {
  auto haswell = CPUTarget::get("haswell");
  ASSERT_TRUE(bool(haswell)) << errorOf(haswell.takeError());
  EXPECT_FALSE(haswell->isHost);
  EXPECT_EQ(haswell->cpuName, "haswell");
  EXPECT_EQ(haswell->vectorBits, 256u);
  EXPECT_EQ(haswell->numVectorRegisters, 16u);
  EXPECT_TRUE(haswell->has("avx2"));
  EXPECT_TRUE(haswell->has("fma"));
  EXPECT_TRUE(haswell->has("f16c"));
  EXPECT_FALSE(haswell->has("avx512f"));
  EXPECT_FALSE(haswell->has("avx512bf16"));
  EXPECT_EQ(haswell->l1Bytes, 32 * 1024);
  EXPECT_EQ(haswell->l2Bytes, 256 * 1024);

  auto skx = CPUTarget::get("skylake-avx512");
  ASSERT_TRUE(bool(skx)) << errorOf(skx.takeError());
  EXPECT_EQ(skx->vectorBits, 512u);
  EXPECT_EQ(skx->numVectorRegisters, 32u);
  EXPECT_EQ(skx->l2Bytes, 1024 * 1024);
}

TEST(TargetTest, EveryCPUHasTheX8664Baseline) {
  // LLVM's feature lists leave out what the baseline implies (haswell
  // lists sse3, not sse2); without sse2 LLVM changes the half-float ABI.
  for (const char *name : {"x86-64", "haswell", "znver3", "sandybridge"}) {
    auto target = CPUTarget::get(name);
    ASSERT_TRUE(bool(target)) << name << ": " << errorOf(target.takeError());
    for (const char *feature : {"64bit", "sse2", "cmov", "cx8"})
      EXPECT_TRUE(target->has(feature)) << name << " lacks " << feature;
  }
  auto baseline = CPUTarget::get("x86-64");
  ASSERT_TRUE(bool(baseline));
  EXPECT_EQ(baseline->vectorBits, 128u);
  EXPECT_FALSE(baseline->has("f16c"));
  // Every x86-64 machine runs baseline code.
  EXPECT_TRUE(baseline->missingOnHost().empty());
}

TEST(TargetTest, FeaturesChangeTheTargetWithWhatTheyImply) {
  auto noAvx512 = CPUTarget::get("sapphirerapids", "-avx512f");
  ASSERT_TRUE(bool(noAvx512)) << errorOf(noAvx512.takeError());
  EXPECT_EQ(noAvx512->vectorBits, 256u);
  EXPECT_FALSE(noAvx512->has("avx512bw"));
  EXPECT_FALSE(noAvx512->has("avx512bf16"));
  EXPECT_TRUE(noAvx512->has("avx2"));

  auto withAvx512 = CPUTarget::get("haswell", "+avx512f, +avx512bf16");
  ASSERT_TRUE(bool(withAvx512)) << errorOf(withAvx512.takeError());
  EXPECT_EQ(withAvx512->vectorBits, 512u);
  EXPECT_TRUE(withAvx512->has("avx512bf16"));
}

TEST(TargetTest, HostIsTheDefault) {
  for (const char *name : {"", "host", "native"}) {
    auto host = CPUTarget::get(name);
    ASSERT_TRUE(bool(host)) << errorOf(host.takeError());
    EXPECT_TRUE(host->isHost);
    EXPECT_EQ(host->features, CPUTarget::host().features);
    EXPECT_TRUE(host->missingOnHost().empty());
  }
  EXPECT_GT(CPUTarget::host().l1Bytes, 0);
  EXPECT_GE(CPUTarget::host().l2Bytes, CPUTarget::host().l1Bytes);
}

TEST(TargetTest, ErrorsNameTheCulprit) {
  std::string error = errorOf(CPUTarget::get("haswel").takeError());
  EXPECT_NE(error.find("unknown target CPU 'haswel'"), std::string::npos)
      << error;
  EXPECT_NE(error.find("did you mean 'haswell'?"), std::string::npos) << error;
  // 32-bit CPUs cannot run the JIT's 64-bit code.
  error = errorOf(CPUTarget::get("pentium4").takeError());
  EXPECT_NE(error.find("unknown target CPU 'pentium4'"), std::string::npos);
  error = errorOf(CPUTarget::get("haswell", "+avx513f").takeError());
  EXPECT_NE(error.find("unknown target feature 'avx513f'"), std::string::npos)
      << error;
  error = errorOf(CPUTarget::get("haswell", "avx2").takeError());
  EXPECT_NE(error.find("bad target feature 'avx2'"), std::string::npos)
      << error;
}

TEST(TargetTest, AFutureCPUIsForExplainingOnly) {
  // Diamond Rapids has AMX-FP8 and AVX10.2, which no machine of ours has.
  auto future = CPUTarget::get("diamondrapids");
  ASSERT_TRUE(bool(future)) << errorOf(future.takeError());
  std::vector<std::string> missing = future->missingOnHost();
  EXPECT_NE(std::find(missing.begin(), missing.end(), "amx-fp8"),
            missing.end());

  Compiler compiler;
  KernelOptions options;
  options.pipeline.tiling.target = *future;
  std::vector<OperandType> operands = {{DType::F32, {64, 64}},
                                       {DType::F32, {64, 64}}};
  auto kernel = compiler.compile("ij,jk->ik", operands, options);
  ASSERT_FALSE(bool(kernel));
  std::string error = errorOf(kernel.takeError());
  EXPECT_NE(error.find("cannot run code for target 'diamondrapids'"),
            std::string::npos)
      << error;
  auto plan = compiler.describePlan("ij,jk->ik", operands, options);
  ASSERT_TRUE(bool(plan)) << errorOf(plan.takeError());
  EXPECT_EQ(plan->rfind("target: diamondrapids: AVX-512", 0), 0u) << *plan;
  EXPECT_NE(plan->find("512-bit vectors"), std::string::npos) << *plan;
}

TEST(TargetTest, TheCacheKeyHoldsTheTarget) {
  KernelOptions host, haswell, noFma;
  haswell.pipeline.tiling.target = *CPUTarget::get("haswell");
  noFma.pipeline.tiling.target = *CPUTarget::get("haswell", "-fma");
  EXPECT_NE(host.fingerprint(), haswell.fingerprint());
  EXPECT_NE(haswell.fingerprint(), noFma.fingerprint());
}

TEST(TargetTest, TileOverridesAreRangeChecked) {
  TilingOptions tiling;
  EXPECT_FALSE(bool(validateTilingOptions(tiling)));
  tiling.registerTileN = -5;
  std::string error = errorOf(validateTilingOptions(tiling));
  EXPECT_NE(error.find("tiling option 'nr' is -5"), std::string::npos)
      << error;
  tiling.registerTileN = 0;
  tiling.cacheTileK = int64_t(1) << 40;
  EXPECT_NE(errorOf(validateTilingOptions(tiling)).find("'kc'"),
            std::string::npos);
  tiling.cacheTileK = 0;
  tiling.target.vectorBits = 7;
  EXPECT_NE(errorOf(validateTilingOptions(tiling)).find("'vector-bits' is 7"),
            std::string::npos);

  // Through the JIT: an error, not a crash (nr = -5 divided by zero).
  Compiler compiler;
  KernelOptions options;
  options.pipeline.tiling.registerTileN = -5;
  auto kernel = compiler.compile("ij,jk->ik", {{64, 32}, {32, 48}},
                                 DType::F32, options);
  ASSERT_FALSE(bool(kernel));
  EXPECT_NE(errorOf(kernel.takeError()).find("'nr' is -5"), std::string::npos);
}

} // namespace
