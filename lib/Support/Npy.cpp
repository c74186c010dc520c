//===- Npy.cpp - NumPy .npy files -----------------------------------------===//

#include "Einsum/Support/Npy.h"

#include <cstdio>
#include <cstring>
#include <fstream>
#include <limits>
#include <optional>
#include <sstream>

#include <unistd.h>

using namespace einsum;

int64_t NpyArray::numElements() const {
  int64_t count = 1;
  for (int64_t size : shape)
    count *= size;
  return count;
}

static const char kMagic[] = "\x93NUMPY";

/// NumPy descr of a dtype ("<f4"), or "" if it has none.
static std::string descrOf(DType type) {
  switch (type) {
  case DType::F32:
    return "<f4";
  case DType::F64:
    return "<f8";
  case DType::I32:
    return "<i4";
  case DType::I64:
    return "<i8";
  case DType::F16:
    return "<f2";
  case DType::BF16:
    return "";
  }
  return "";
}

/// Finds `'key':` in the header dict and returns the text after it.
static bool findKey(const std::string &header, const std::string &key,
                    std::string &rest) {
  size_t at = header.find("'" + key + "'");
  if (at == std::string::npos)
    return false;
  size_t colon = header.find(':', at);
  if (colon == std::string::npos)
    return false;
  rest = header.substr(colon + 1);
  size_t first = rest.find_first_not_of(" \t");
  rest = first == std::string::npos ? "" : rest.substr(first);
  return true;
}

bool einsum::parseNpy(const char *bytes, size_t size, const std::string &name,
                      NpyArray &array, std::string &error) {
  auto fail = [&](const std::string &message) {
    error = name + ": " + message;
    return false;
  };
  if (size < 10 || std::memcmp(bytes, kMagic, 6) != 0)
    return fail("not a .npy file (bad magic)");
  unsigned major = static_cast<unsigned char>(bytes[6]);
  size_t headerLength, offset;
  if (major == 1) {
    headerLength = static_cast<unsigned char>(bytes[8]) |
                   (size_t(static_cast<unsigned char>(bytes[9])) << 8);
    offset = 10;
  } else if (major == 2 || major == 3) {
    if (size < 12)
      return fail("truncated header");
    headerLength = 0;
    for (int i = 0; i < 4; ++i)
      headerLength |= size_t(static_cast<unsigned char>(bytes[8 + i]))
                      << (8 * i);
    offset = 12;
  } else {
    return fail("unsupported .npy version " + std::to_string(major));
  }
  if (headerLength > size - offset)
    return fail("truncated header");
  std::string header(bytes + offset, headerLength);
  offset += headerLength;

  std::string rest;
  if (!findKey(header, "descr", rest) || rest.size() < 2 || rest[0] != '\'')
    return fail("header has no 'descr'");
  std::string descr = rest.substr(1, rest.find('\'', 1) - 1);
  if (descr.size() > 1 && descr[0] == '>' && descr != ">i1")
    return fail("big-endian data ('" + descr + "') is not supported");
  std::optional<DType> dtype;
  for (DType type : {DType::F32, DType::F64, DType::I32, DType::I64,
                     DType::F16})
    if (descrOf(type) == descr || descrOf(type).substr(1) == descr ||
        "=" + descrOf(type).substr(1) == descr)
      dtype = type;
  if (!dtype)
    return fail("unsupported dtype '" + descr +
                "' (supported: float32, float64, int32, int64, float16)");
  array.dtype = *dtype;

  if (!findKey(header, "fortran_order", rest))
    return fail("header has no 'fortran_order'");
  bool fortran = rest.compare(0, 4, "True") == 0;
  if (!fortran && rest.compare(0, 5, "False") != 0)
    return fail("malformed 'fortran_order'");

  if (!findKey(header, "shape", rest) || rest.empty() || rest[0] != '(')
    return fail("header has no 'shape'");
  size_t close = rest.find(')');
  if (close == std::string::npos)
    return fail("malformed 'shape'");
  array.shape.clear();
  std::string dims = rest.substr(1, close - 1);
  int64_t elements = 1;
  size_t pos = 0;
  while (pos < dims.size()) {
    size_t start = dims.find_first_not_of(" ,", pos);
    if (start == std::string::npos)
      break;
    size_t end = start;
    while (end < dims.size() && dims[end] >= '0' && dims[end] <= '9')
      ++end;
    if (end == start || end - start > 18)
      return fail("malformed 'shape' (" + dims + ")");
    int64_t dim = std::stoll(dims.substr(start, end - start));
    if (dim != 0 && elements > std::numeric_limits<int64_t>::max() / dim)
      return fail("shape overflows 64-bit element count");
    elements *= dim;
    array.shape.push_back(dim);
    pos = end;
  }
  size_t elementSize = dtypeSize(array.dtype);
  if (elements > int64_t((size - offset) / elementSize))
    return fail("truncated data: shape needs " + std::to_string(elements) +
                " elements, file has " +
                std::to_string((size - offset) / elementSize));
  size_t bytesNeeded = size_t(elements) * elementSize;
  array.data.assign(bytes + offset, bytes + offset + bytesNeeded);

  if (fortran && array.shape.size() > 1) {
    // Column-major to row-major.
    std::vector<char> rowMajor(array.data.size());
    size_t rank = array.shape.size();
    std::vector<int64_t> index(rank, 0);
    for (int64_t linear = 0; linear < elements; ++linear) {
      int64_t source = 0, stride = 1;
      for (size_t d = 0; d < rank; ++d) {
        source += index[d] * stride;
        stride *= array.shape[d];
      }
      std::memcpy(&rowMajor[linear * elementSize],
                  &array.data[source * elementSize], elementSize);
      for (size_t d = rank; d-- > 0;) {
        if (++index[d] < array.shape[d])
          break;
        index[d] = 0;
      }
    }
    array.data.swap(rowMajor);
  }
  return true;
}

bool einsum::readNpy(const std::string &path, NpyArray &array,
                     std::string &error) {
  std::ifstream file(path, std::ios::binary);
  if (!file) {
    error = path + ": cannot open for reading";
    return false;
  }
  std::ostringstream contents;
  contents << file.rdbuf();
  std::string bytes = contents.str();
  return parseNpy(bytes.data(), bytes.size(), path, array, error);
}

bool einsum::writeNpy(const std::string &path, const NpyArray &array,
                      std::string &error) {
  std::string descr = descrOf(array.dtype);
  if (descr.empty()) {
    error = path + ": " + std::string(dtypeName(array.dtype)) +
            " has no NumPy .npy type";
    return false;
  }
  std::string shape = "(";
  for (size_t i = 0; i < array.shape.size(); ++i)
    shape += (i ? ", " : "") + std::to_string(array.shape[i]);
  shape += array.shape.size() == 1 ? ",)" : ")";
  std::string header = "{'descr': '" + descr +
                       "', 'fortran_order': False, 'shape': " + shape + ", }";
  // Pad so the data starts at a multiple of 64 bytes; end with '\n'.
  size_t total = 10 + header.size() + 1;
  header.append((64 - total % 64) % 64, ' ');
  header += '\n';

  std::string temp = path + ".tmp." + std::to_string(::getpid());
  {
    std::ofstream file(temp, std::ios::binary | std::ios::trunc);
    if (!file) {
      error = path + ": cannot open for writing";
      return false;
    }
    file.write(kMagic, 6);
    char version[2] = {1, 0};
    file.write(version, 2);
    char length[2] = {char(header.size() & 0xff), char(header.size() >> 8)};
    file.write(length, 2);
    file << header;
    file.write(array.data.data(), array.data.size());
    if (!file.flush()) {
      std::remove(temp.c_str());
      error = path + ": write failed";
      return false;
    }
  }
  if (std::rename(temp.c_str(), path.c_str()) != 0) {
    std::remove(temp.c_str());
    error = path + ": cannot rename the written file into place";
    return false;
  }
  return true;
}
