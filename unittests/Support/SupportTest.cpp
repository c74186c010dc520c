//===- SupportTest.cpp - Tests for element types and .npy files -----------===//

#include "Einsum/Support/AlignedBuffer.h"
#include "Einsum/Support/DType.h"
#include "Einsum/Support/Npy.h"
#include "Einsum/Support/TensorView.h"

#include <gtest/gtest.h>

#include <cmath>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <dirent.h>
#include <fstream>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

using namespace einsum;

namespace {

TEST(DType, Names) {
  for (DType t : {DType::F32, DType::F64, DType::I32, DType::I64, DType::F16,
                  DType::BF16})
    EXPECT_EQ(parseDType(dtypeName(t)), t);
  EXPECT_FALSE(parseDType("f8").has_value());
  EXPECT_EQ(dtypeSize(DType::BF16), 2u);
  EXPECT_FALSE(isFloat(DType::I64));
}

TEST(DType, HalfConversions) {
  for (float v : {0.0f, 1.0f, -2.5f, 65504.0f, 0x1p-14f, 0x1p-24f})
    EXPECT_EQ(halfToFloat(floatToHalf(v)), v) << v;
  // Not representable: rounded to within half an ulp (2^-11 relative).
  EXPECT_NEAR(halfToFloat(floatToHalf(1e-3f)), 1e-3f, 1e-3f * 0x1p-11f);
  EXPECT_EQ(floatToHalf(1.0f), 0x3c00);
  EXPECT_TRUE(std::isinf(halfToFloat(floatToHalf(1e6f))));
  EXPECT_TRUE(std::isnan(halfToFloat(floatToHalf(NAN))));
  // Round to nearest even: 1 + 2^-11 is halfway between 1 and 1 + 2^-10.
  EXPECT_EQ(halfToFloat(floatToHalf(1.0f + 0x1p-11f)), 1.0f);
}

TEST(DType, Bfloat16Conversions) {
  for (float v : {0.0f, 1.0f, -3.0f, 1.5f, 0x1p100f})
    EXPECT_EQ(bfloat16ToFloat(floatToBfloat16(v)), v) << v;
  EXPECT_EQ(floatToBfloat16(1.0f), 0x3f80);
  EXPECT_EQ(bfloat16ToFloat(floatToBfloat16(1.0f + 0x1p-8f)), 1.0f);
}

TEST(DType, IntegerStoresWrap) {
  int32_t x = 0;
  storeInt(&x, DType::I32, 0, (int64_t(1) << 32) + 7);
  EXPECT_EQ(x, 7);
}

TEST(AlignedBuffer, AlignedAndZeroed) {
  AlignedBuffer buffer(100);
  ASSERT_TRUE(static_cast<bool>(buffer));
  EXPECT_EQ(reinterpret_cast<uintptr_t>(buffer.data()) % 64, 0u);
  for (size_t i = 0; i < 100; ++i)
    EXPECT_EQ(buffer.data()[i], 0);
}

std::string npyImage(const std::string &header, const std::string &data) {
  std::string padded = header;
  while ((10 + padded.size() + 1) % 64)
    padded += ' ';
  padded += '\n';
  std::string image("\x93NUMPY\x01\x00", 8);
  image += char(padded.size() & 0xff);
  image += char(padded.size() >> 8);
  return image + padded + data;
}

TEST(TensorView, EmptyShapes) {
  // A 0 after sizes whose product overflows: no element, no overflow.
  std::vector<int64_t> shape = {int64_t(1) << 32, int64_t(1) << 32, 0};
  EXPECT_EQ(numElementsOf(shape), 0);
  EXPECT_EQ(TensorView::contiguousStrides(shape),
            (std::vector<int64_t>{0, 0, 0}));
  // Any strides address an empty tensor's (no) elements contiguously.
  TensorView empty;
  empty.shape = {0, 3};
  empty.strides = {3, 1};
  EXPECT_TRUE(empty.isContiguous());
  empty.strides = {7, 2};
  EXPECT_TRUE(empty.isContiguous());
  TensorView full;
  full.shape = {2, 3};
  full.strides = {7, 2};
  EXPECT_FALSE(full.isContiguous());
}

TEST(Npy, RoundTrip) {
  NpyArray array;
  array.dtype = DType::F64;
  array.shape = {2, 3};
  array.data.resize(6 * sizeof(double));
  for (int i = 0; i < 6; ++i)
    storeDouble(array.data.data(), DType::F64, i, i * 1.5);
  std::string path = ::testing::TempDir() + "/einsum-npy-roundtrip.npy";
  std::string error;
  ASSERT_TRUE(writeNpy(path, array, error)) << error;
  NpyArray back;
  ASSERT_TRUE(readNpy(path, back, error)) << error;
  EXPECT_EQ(back.dtype, DType::F64);
  EXPECT_EQ(back.shape, array.shape);
  EXPECT_EQ(back.data, array.data);
  std::remove(path.c_str());
}

TEST(Npy, FortranOrderIsConvertedToRowMajor) {
  float column[6] = {1, 4, 2, 5, 3, 6}; // [[1,2,3],[4,5,6]] in column order
  std::string image = npyImage(
      "{'descr': '<f4', 'fortran_order': True, 'shape': (2, 3), }",
      std::string(reinterpret_cast<char *>(column), sizeof(column)));
  NpyArray array;
  std::string error;
  ASSERT_TRUE(parseNpy(image.data(), image.size(), "x.npy", array, error))
      << error;
  float row[6];
  std::memcpy(row, array.data.data(), sizeof(row));
  EXPECT_EQ(std::vector<float>(row, row + 6),
            (std::vector<float>{1, 2, 3, 4, 5, 6}));
}

TEST(Npy, Errors) {
  struct Case {
    std::string image;
    const char *message;
  };
  std::string four(16, '\0');
  std::vector<Case> cases = {
      {"garbage", "x.npy: not a .npy file (bad magic)"},
      {npyImage("{'descr': '<u2', 'fortran_order': False, 'shape': (2,), }", four),
       "x.npy: unsupported dtype '<u2'"},
      {npyImage("{'descr': '>f4', 'fortran_order': False, 'shape': (2,), }", four),
       "x.npy: big-endian data ('>f4') is not supported"},
      {npyImage("{'descr': '<f4', 'fortran_order': False, 'shape': (9,), }", four),
       "x.npy: truncated data: shape needs 9 elements, file has 4"},
      {npyImage("{'descr': '<f4', 'fortran_order': False, }", four),
       "x.npy: header has no 'shape'"},
  };
  for (const Case &c : cases) {
    NpyArray array;
    std::string error;
    EXPECT_FALSE(parseNpy(c.image.data(), c.image.size(), "x.npy", array, error));
    EXPECT_EQ(error.rfind(c.message, 0), 0u) << error;
  }
  NpyArray bf16;
  bf16.dtype = DType::BF16;
  std::string error;
  EXPECT_FALSE(writeNpy(::testing::TempDir() + "/x.npy", bf16, error));
  EXPECT_NE(error.find("bf16 has no NumPy .npy type"), std::string::npos);
}

TEST(Npy, HeaderAsNumPyReadsIt) {
  std::string four(24, '\0');
  struct Case {
    std::string header;
    std::vector<int64_t> shape;
  };
  std::vector<Case> cases = {
      // Double quotes, which NumPy loads.
      {R"({"descr": "<f4", "fortran_order": False, "shape": (2, 3), })",
       {2, 3}},
      // A key given twice: the last wins, as in a dict literal.
      {"{'descr': '<f4', 'shape': (6,), 'fortran_order': False, "
       "'shape': (2, 3)}",
       {2, 3}},
      // Python 2's long suffix, from old NumPy.
      {"{'descr': '<f4', 'fortran_order': False, 'shape': (2L, 3L), }", {2, 3}},
      {"{'descr': '<f4', 'fortran_order': False, 'shape': (), }", {}},
  };
  for (const Case &c : cases) {
    std::string image = npyImage(c.header, four);
    NpyArray array;
    std::string error;
    EXPECT_TRUE(parseNpy(image.data(), image.size(), "x.npy", array, error))
        << c.header << ": " << error;
    EXPECT_EQ(array.shape, c.shape) << c.header;
  }
}

TEST(Npy, HeaderErrorsNameTheProblem) {
  struct Case {
    std::string header;
    const char *message;
  };
  std::vector<Case> cases = {
      {"{'descr': [('a', '<f4'), ('b', '<i4')], 'fortran_order': False, "
       "'shape': (2,), }",
       "x.npy: structured dtypes (a list as 'descr') are not supported"},
      {"{'descr': " + std::string(100, '(') + std::string(100, ')') + "}",
       "x.npy: malformed header: header nests deeper than 16 at byte"},
      {"{'descr': '<f\xff', 'fortran_order': False, 'shape': (2,), }",
       "x.npy: unsupported dtype '<f\\xff' (supported"},
      {"{'descr': '" + std::string(100, 'x') +
           "', 'fortran_order': False, 'shape': (2,), }",
       "x.npy: unsupported dtype "
       "'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx...' "},
      {"{'descr': '<f4', 'fortran_order': False, 'shape': (2,), 'x': 1}",
       "x.npy: header has the unexpected key 'x'"},
      {"{'descr': '<f4', 'fortran_order': False, 'shape': (2), }",
       "x.npy: malformed 'shape' (not a tuple)"},
      {"{'descr': '<f4', 'fortran_order': False, 'shape': (-2,), }",
       "x.npy: malformed 'shape' (not non-negative integers)"},
      {"{'descr': '<f4', 'fortran_order': 0, 'shape': (2,), }",
       "x.npy: malformed 'fortran_order' (not True or False)"},
      {"{'descr': '<f4', 'fortran_order': False, 'shape': (2,)",
       "x.npy: malformed header: expected ',' or '}' at byte"},
      {"['descr']", "x.npy: header is not a dict"},
      {"{'descr': '<f4', 'fortran_order': False, 'shape': "
       "(1099511627776, 1099511627776),}",
       "x.npy: shape overflows a 64-bit byte count"},
  };
  for (const Case &c : cases) {
    std::string image = npyImage(c.header, std::string(16, '\0'));
    NpyArray array;
    std::string error;
    EXPECT_FALSE(parseNpy(image.data(), image.size(), "x.npy", array, error));
    EXPECT_EQ(error.rfind(c.message, 0), 0u) << "got: " << error;
    EXPECT_LT(error.size(), 200u) << error;
  }
  // A header longer than NumPy's limit is not read.
  std::string image = npyImage(std::string(20000, ' '), "");
  NpyArray array;
  std::string error;
  EXPECT_FALSE(parseNpy(image.data(), image.size(), "x.npy", array, error));
}

/// The names in `dir`.
static std::vector<std::string> listDir(const std::string &dir) {
  std::vector<std::string> names;
  if (DIR *d = opendir(dir.c_str())) {
    while (dirent *entry = readdir(d))
      if (std::strcmp(entry->d_name, ".") && std::strcmp(entry->d_name, ".."))
        names.push_back(entry->d_name);
    closedir(d);
  }
  return names;
}

TEST(Npy, WriteGoesThroughSymlinksAndKeepsDevices) {
  std::string dir = ::testing::TempDir() + "/einsum-npy-write-XXXXXX";
  ASSERT_NE(mkdtemp(dir.data()), nullptr);
  float values[3] = {1, 2, 3};
  std::string error;
  // A symlink to /dev/null: written through, nothing replaced.
  std::string link = dir + "/null.npy";
  ASSERT_EQ(symlink("/dev/null", link.c_str()), 0);
  ASSERT_TRUE(writeNpy(link, DType::F32, {3}, values, sizeof(values), error))
      << error;
  struct stat info;
  ASSERT_EQ(lstat(link.c_str(), &info), 0);
  EXPECT_TRUE(S_ISLNK(info.st_mode));
  ASSERT_EQ(stat("/dev/null", &info), 0);
  EXPECT_TRUE(S_ISCHR(info.st_mode));
  // /dev/full: the system's reason.
  EXPECT_FALSE(
      writeNpy("/dev/full", DType::F32, {3}, values, sizeof(values), error));
  EXPECT_NE(error.find("write failed: No space left on device"),
            std::string::npos)
      << error;
  // A directory: refused.
  EXPECT_FALSE(writeNpy(dir, DType::F32, {3}, values, sizeof(values), error));
  EXPECT_NE(error.find("is a directory"), std::string::npos) << error;
  // Nothing but the link is left.
  EXPECT_EQ(listDir(dir), std::vector<std::string>{"null.npy"});
  unlink(link.c_str());
  rmdir(dir.c_str());
}

TEST(Npy, SignalRemovesTheTemporaryFile) {
  std::string dir = ::testing::TempDir() + "/einsum-npy-signal-XXXXXX";
  ASSERT_NE(mkdtemp(dir.data()), nullptr);
  std::string path = dir + "/big.npy";
  // A child writes a large array; once its temporary file exists, SIGTERM.
  // Retried larger if the write finished before the signal.
  for (size_t mib : {256, 1024}) {
    pid_t child = fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
      installNpySignalCleanup();
      std::vector<char> data(mib << 20, 1);
      std::string error;
      writeNpy(path, DType::F32, {int64_t(mib << 18)}, data.data(), data.size(),
               error);
      _exit(0);
    }
    bool signalled = false;
    int status = 0;
    while (waitpid(child, &status, WNOHANG) == 0) {
      for (const std::string &name : listDir(dir))
        if (name.rfind(".big.npy.tmp.", 0) == 0 && !signalled) {
          kill(child, SIGTERM);
          signalled = true;
        }
      usleep(200);
    }
    if (signalled && WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM) {
      EXPECT_TRUE(listDir(dir).empty()) << listDir(dir).front();
      rmdir(dir.c_str());
      return;
    }
    unlink(path.c_str());
  }
  rmdir(dir.c_str());
  GTEST_SKIP() << "the writes finished before a signal could stop them";
}

} // namespace
