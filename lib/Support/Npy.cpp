//===- Npy.cpp - NumPy .npy files -----------------------------------------===//

#include "Einsum/Support/Npy.h"
#include "Einsum/Support/TensorView.h"

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <limits>
#include <map>
#include <memory>
#include <optional>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

using namespace einsum;

int64_t NpyHeader::numElements() const { return numElementsOf(shape); }

int64_t NpyArray::numElements() const { return numElementsOf(shape); }

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

/// `text` for a message: quoted, at most 40 characters, bytes that are not
/// printable ASCII escaped as \xNN.
static std::string quoted(const std::string &text) {
  constexpr size_t kMax = 40;
  std::string out = "'";
  for (size_t i = 0; i < text.size() && i < kMax; ++i) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    if (c >= 0x20 && c < 0x7f && c != '\\') {
      out += char(c);
      continue;
    }
    char escape[8];
    std::snprintf(escape, sizeof(escape), "\\x%02x", c);
    out += escape;
  }
  if (text.size() > kMax)
    out += "...";
  return out + "'";
}

static std::string errnoText() { return std::strerror(errno); }

//===----------------------------------------------------------------------===//
// The header dict, read as Python's ast.literal_eval reads it
//===----------------------------------------------------------------------===//

namespace {
/// A Python literal of the forms .npy headers hold.
struct Literal {
  enum Kind { String, Integer, Bool, None, Tuple, List, Dict } kind = None;
  std::string text; // String
  int64_t integer = 0;
  bool boolean = false;
  std::vector<Literal> items; // Tuple, List; Dict: key, value, key, ...
};

class LiteralParser {
public:
  explicit LiteralParser(const std::string &text) : text(text) {}

  /// The whole text as one literal, or an error message.
  std::optional<Literal> parseAll(std::string &error) {
    std::optional<Literal> value = parse(0);
    skipSpace();
    if (value && pos != text.size())
      fail("unexpected " + quoted(text.substr(pos)));
    if (!value || !message.empty()) {
      error = message;
      return std::nullopt;
    }
    return value;
  }

private:
  static constexpr unsigned kMaxDepth = 16;

  void skipSpace() {
    while (pos < text.size() && std::strchr(" \t\r\n", text[pos]) &&
           text[pos] != '\0')
      ++pos;
  }
  std::nullopt_t fail(const std::string &why) {
    if (message.empty())
      message = why + " at byte " + std::to_string(pos) + " of the header";
    return std::nullopt;
  }

  std::optional<Literal> parse(unsigned depth) {
    if (depth > kMaxDepth)
      return fail("header nests deeper than " + std::to_string(kMaxDepth));
    skipSpace();
    if (pos == text.size())
      return fail("header ends early");
    char c = text[pos];
    if (c == '\'' || c == '"')
      return parseString();
    if (c == '{')
      return parseSequence(depth, '}', Literal::Dict);
    if (c == '(')
      return parseSequence(depth, ')', Literal::Tuple);
    if (c == '[')
      return parseSequence(depth, ']', Literal::List);
    if (c == '-' || c == '+' || (c >= '0' && c <= '9'))
      return parseInteger();
    for (auto [word, kind, value] :
         {std::tuple{"True", Literal::Bool, true},
          std::tuple{"False", Literal::Bool, false},
          std::tuple{"None", Literal::None, false}}) {
      size_t length = std::strlen(word);
      if (text.compare(pos, length, word) == 0) {
        pos += length;
        Literal literal;
        literal.kind = kind;
        literal.boolean = value;
        return literal;
      }
    }
    return fail("unexpected " + quoted(text.substr(pos)));
  }

  std::optional<Literal> parseString() {
    char quote = text[pos++];
    Literal literal;
    literal.kind = Literal::String;
    while (pos < text.size() && text[pos] != quote) {
      if (text[pos] == '\\' && pos + 1 < text.size())
        ++pos;
      literal.text += text[pos++];
    }
    if (pos == text.size())
      return fail("unterminated string");
    ++pos;
    return literal;
  }

  std::optional<Literal> parseInteger() {
    size_t start = pos;
    if (text[pos] == '-' || text[pos] == '+')
      ++pos;
    size_t digits = pos;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9')
      ++pos;
    if (pos == digits)
      return fail("malformed number");
    if (pos - digits > 18)
      return fail("number " + quoted(text.substr(start, pos - start)) +
                  " is too large");
    Literal literal;
    literal.kind = Literal::Integer;
    literal.integer = std::stoll(text.substr(start, pos - start));
    // Python 2's long suffix, which old NumPy wrote in shapes.
    if (pos < text.size() && (text[pos] == 'L' || text[pos] == 'l'))
      ++pos;
    return literal;
  }

  std::optional<Literal> parseSequence(unsigned depth, char close,
                                       Literal::Kind kind) {
    ++pos;
    Literal literal;
    literal.kind = kind;
    bool sawComma = false;
    while (true) {
      skipSpace();
      if (pos < text.size() && text[pos] == close) {
        ++pos;
        break;
      }
      if (!literal.items.empty() && !sawComma)
        return fail("expected ',' or '" + std::string(1, close) + "'");
      std::optional<Literal> item = parse(depth + 1);
      if (!item)
        return std::nullopt;
      literal.items.push_back(std::move(*item));
      if (kind == Literal::Dict) {
        skipSpace();
        if (pos == text.size() || text[pos] != ':')
          return fail("expected ':'");
        ++pos;
        std::optional<Literal> value = parse(depth + 1);
        if (!value)
          return std::nullopt;
        literal.items.push_back(std::move(*value));
      }
      skipSpace();
      sawComma = pos < text.size() && text[pos] == ',';
      if (sawComma)
        ++pos;
    }
    // (x) is x in Python, not a tuple.
    if (kind == Literal::Tuple && literal.items.size() == 1 && !sawComma)
      return std::move(literal.items.front());
    return literal;
  }

  const std::string &text;
  size_t pos = 0;
  std::string message;
};
} // namespace

bool einsum::parseNpyHeader(const char *bytes, size_t size,
                            const std::string &name, NpyHeader &header,
                            std::string &error) {
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
  if (headerLength > kMaxNpyHeaderBytes)
    return fail("header of " + std::to_string(headerLength) +
                " bytes is longer than " + std::to_string(kMaxNpyHeaderBytes));
  if (headerLength > size - offset)
    return fail("truncated header");
  std::string text(bytes + offset, headerLength);
  header.dataOffset = offset + headerLength;

  std::string message;
  std::optional<Literal> dict = LiteralParser(text).parseAll(message);
  if (!dict)
    return fail("malformed header: " + message);
  if (dict->kind != Literal::Dict)
    return fail("header is not a dict");
  // A dict literal keeps the last value of a key.
  std::map<std::string, const Literal *> entries;
  for (size_t i = 0; i + 1 < dict->items.size(); i += 2) {
    const Literal &key = dict->items[i];
    if (key.kind != Literal::String)
      return fail("header has a key that is not a string");
    if (key.text != "descr" && key.text != "fortran_order" &&
        key.text != "shape")
      return fail("header has the unexpected key " + quoted(key.text));
    entries[key.text] = &dict->items[i + 1];
  }
  for (const char *key : {"descr", "fortran_order", "shape"})
    if (!entries.count(key))
      return fail(std::string("header has no '") + key + "'");

  const Literal &descr = *entries["descr"];
  if (descr.kind == Literal::List)
    return fail("structured dtypes (a list as 'descr') are not supported");
  if (descr.kind != Literal::String)
    return fail("'descr' is not a string");
  if (descr.text.size() > 1 && descr.text[0] == '>' && descr.text != ">i1")
    return fail("big-endian data (" + quoted(descr.text) +
                ") is not supported");
  std::optional<DType> dtype;
  for (DType type :
       {DType::F32, DType::F64, DType::I32, DType::I64, DType::F16})
    if (descrOf(type) == descr.text || descrOf(type).substr(1) == descr.text ||
        "=" + descrOf(type).substr(1) == descr.text)
      dtype = type;
  if (!dtype)
    return fail("unsupported dtype " + quoted(descr.text) +
                " (supported: float32, float64, int32, int64, float16)");
  header.dtype = *dtype;

  const Literal &fortran = *entries["fortran_order"];
  if (fortran.kind != Literal::Bool)
    return fail("malformed 'fortran_order' (not True or False)");
  header.fortranOrder = fortran.boolean;

  const Literal &shape = *entries["shape"];
  if (shape.kind != Literal::Tuple)
    return fail("malformed 'shape' (not a tuple)");
  header.shape.clear();
  for (const Literal &dim : shape.items) {
    if (dim.kind != Literal::Integer || dim.integer < 0)
      return fail("malformed 'shape' (not non-negative integers)");
    header.shape.push_back(dim.integer);
  }
  // The byte count must fit 64 bits (an empty tensor has no bytes).
  if (std::find(header.shape.begin(), header.shape.end(), 0) ==
      header.shape.end()) {
    int64_t bytes = int64_t(dtypeSize(header.dtype));
    for (int64_t dim : header.shape) {
      if (bytes > std::numeric_limits<int64_t>::max() / dim)
        return fail("shape overflows a 64-bit byte count");
      bytes *= dim;
    }
  }
  return true;
}

/// Checks that `available` data bytes hold what the header's shape needs.
static bool checkDataSize(const NpyHeader &header, size_t available,
                          const std::string &name, std::string &error) {
  size_t elementSize = dtypeSize(header.dtype);
  if (header.numElements() > int64_t(available / elementSize)) {
    error = name + ": truncated data: shape needs " +
            std::to_string(header.numElements()) + " elements, file has " +
            std::to_string(available / elementSize);
    return false;
  }
  return true;
}

/// Column-major `source` to row-major `dest`.
static void fortranToRowMajor(const NpyHeader &header, const char *source,
                              char *dest) {
  size_t elementSize = dtypeSize(header.dtype);
  size_t rank = header.shape.size();
  std::vector<int64_t> index(rank, 0);
  for (int64_t linear = 0; linear < header.numElements(); ++linear) {
    int64_t offset = 0, stride = 1;
    for (size_t d = 0; d < rank; ++d) {
      offset += index[d] * stride;
      stride *= header.shape[d];
    }
    std::memcpy(dest + linear * elementSize, source + offset * elementSize,
                elementSize);
    for (size_t d = rank; d-- > 0;) {
      if (++index[d] < header.shape[d])
        break;
      index[d] = 0;
    }
  }
}

bool einsum::parseNpy(const char *bytes, size_t size, const std::string &name,
                      NpyArray &array, std::string &error) {
  NpyHeader header;
  if (!parseNpyHeader(bytes, size, name, header, error) ||
      !checkDataSize(header, size - header.dataOffset, name, error))
    return false;
  array.dtype = header.dtype;
  array.shape = header.shape;
  const char *data = bytes + header.dataOffset;
  array.data.resize(header.dataBytes());
  if (header.fortranOrder && header.shape.size() > 1)
    fortranToRowMajor(header, data, array.data.data());
  else if (!array.data.empty())
    std::memcpy(array.data.data(), data, array.data.size());
  return true;
}

//===----------------------------------------------------------------------===//
// Reading files
//===----------------------------------------------------------------------===//

namespace {
/// A file descriptor closed on scope exit.
struct FileDescriptor {
  int fd = -1;
  explicit FileDescriptor(int fd) : fd(fd) {}
  ~FileDescriptor() {
    if (fd >= 0)
      ::close(fd);
  }
};
} // namespace

/// Reads `size` bytes at `offset`; false with errno set (0 at end of file).
static bool readAt(int fd, char *dest, size_t size, off_t offset) {
  while (size > 0) {
    ssize_t got =
        ::pread(fd, dest, std::min<size_t>(size, size_t(1) << 30), offset);
    if (got < 0 && errno == EINTR)
      continue;
    if (got <= 0) {
      if (got == 0)
        errno = 0;
      return false;
    }
    dest += got;
    size -= size_t(got);
    offset += got;
  }
  return true;
}

/// Opens a regular file for reading; -1 with `error` set otherwise.
static int openRegularFile(const std::string &path, off_t &fileSize,
                           std::string &error) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    error = path + ": cannot open for reading: " + errnoText();
    return -1;
  }
  struct stat info;
  if (::fstat(fd, &info) != 0 || !S_ISREG(info.st_mode)) {
    ::close(fd);
    error = path + ": not a regular file (.npy inputs are read from files)";
    return -1;
  }
  fileSize = info.st_size;
  return fd;
}

/// The message of a failed readAt on `path`.
static std::string readFailure(const std::string &path) {
  return path +
         ": read failed: " + (errno ? errnoText() : std::string("file shrank"));
}

bool einsum::readNpyHeader(const std::string &path, NpyHeader &header,
                           std::string &error) {
  off_t fileSize;
  FileDescriptor file(openRegularFile(path, fileSize, error));
  if (file.fd < 0)
    return false;
  size_t prefix = std::min<size_t>(size_t(fileSize), 12 + kMaxNpyHeaderBytes);
  std::vector<char> bytes(prefix);
  if (!readAt(file.fd, bytes.data(), prefix, 0)) {
    error = readFailure(path);
    return false;
  }
  return parseNpyHeader(bytes.data(), prefix, path, header, error) &&
         checkDataSize(header, size_t(fileSize) - header.dataOffset, path,
                       error);
}

bool einsum::readNpyData(const std::string &path, const NpyHeader &header,
                         void *data, std::string &error) {
  off_t fileSize;
  FileDescriptor file(openRegularFile(path, fileSize, error));
  if (file.fd < 0)
    return false;
  size_t bytes = header.dataBytes();
  bool fortran = header.fortranOrder && header.shape.size() > 1;
  std::vector<char> columns(fortran ? bytes : 0);
  char *dest = fortran ? columns.data() : static_cast<char *>(data);
  if (!readAt(file.fd, dest, bytes, off_t(header.dataOffset))) {
    error = readFailure(path);
    return false;
  }
  if (fortran)
    fortranToRowMajor(header, columns.data(), static_cast<char *>(data));
  return true;
}

bool einsum::readNpy(const std::string &path, NpyArray &array,
                     std::string &error) {
  NpyHeader header;
  if (!readNpyHeader(path, header, error))
    return false;
  array.dtype = header.dtype;
  array.shape = header.shape;
  array.data.resize(header.dataBytes());
  return readNpyData(path, header, array.data.data(), error);
}

//===----------------------------------------------------------------------===//
// Writing files
//===----------------------------------------------------------------------===//

/// The temporary file of the write in progress, for the signal handler.
static char pendingTemp[4096];
static volatile sig_atomic_t hasPendingTemp = 0;

static void removeTempAndDie(int signal) {
  if (hasPendingTemp)
    ::unlink(pendingTemp);
  std::signal(signal, SIG_DFL);
  std::raise(signal);
}

void einsum::installNpySignalCleanup() {
  for (int signal : {SIGINT, SIGTERM, SIGHUP}) {
    struct sigaction action = {};
    action.sa_handler = removeTempAndDie;
    sigemptyset(&action.sa_mask);
    ::sigaction(signal, &action, nullptr);
  }
}

/// Writes all of `bytes`; false with errno set.
static bool writeAll(int fd, const char *bytes, size_t size) {
  while (size > 0) {
    ssize_t put = ::write(fd, bytes, std::min<size_t>(size, size_t(1) << 30));
    if (put < 0 && errno == EINTR)
      continue;
    if (put <= 0)
      return false;
    bytes += put;
    size -= size_t(put);
  }
  return true;
}

bool einsum::writeNpy(const std::string &path, const NpyArray &array,
                      std::string &error) {
  return writeNpy(path, array.dtype, array.shape, array.data.data(),
                  array.data.size(), error);
}

bool einsum::writeNpy(const std::string &path, DType dtype,
                      const std::vector<int64_t> &shape, const void *data,
                      size_t bytes, std::string &error) {
  std::string descr = descrOf(dtype);
  if (descr.empty()) {
    error =
        path + ": " + std::string(dtypeName(dtype)) + " has no NumPy .npy type";
    return false;
  }
  std::string shapeText = "(";
  for (size_t i = 0; i < shape.size(); ++i)
    shapeText += (i ? ", " : "") + std::to_string(shape[i]);
  shapeText += shape.size() == 1 ? ",)" : ")";
  std::string header = "{'descr': '" + descr +
                       "', 'fortran_order': False, 'shape': " + shapeText +
                       ", }";
  // Pad so the data starts at a multiple of 64 bytes; end with '\n'.
  size_t total = 10 + header.size() + 1;
  header.append((64 - total % 64) % 64, ' ');
  header += '\n';
  std::string prefix(kMagic, 6);
  prefix +=
      {char(1), char(0), char(header.size() & 0xff), char(header.size() >> 8)};
  prefix += header;

  // Where the file goes: a symlink's target (its name is kept).
  std::string target = path;
  struct stat info;
  if (::lstat(path.c_str(), &info) == 0 && S_ISLNK(info.st_mode)) {
    std::unique_ptr<char, void (*)(void *)> resolved(
        ::realpath(path.c_str(), nullptr), std::free);
    if (!resolved) {
      error = path + ": cannot write through the symlink: " + errnoText();
      return false;
    }
    target = resolved.get();
  }
  bool exists = ::stat(target.c_str(), &info) == 0;
  if (exists && S_ISDIR(info.st_mode)) {
    error = path + ": is a directory";
    return false;
  }
  if (exists && !S_ISREG(info.st_mode)) {
    // A device or FIFO: written in place, never replaced.
    FileDescriptor file(::open(target.c_str(), O_WRONLY | O_CLOEXEC));
    if (file.fd < 0) {
      error = path + ": cannot open for writing: " + errnoText();
      return false;
    }
    if (!writeAll(file.fd, prefix.data(), prefix.size()) ||
        !writeAll(file.fd, static_cast<const char *>(data), bytes)) {
      error = path + ": write failed: " + errnoText();
      return false;
    }
    return true;
  }

  // A temporary file in the target's directory, created exclusively
  // (mkstemp: O_CREAT | O_EXCL, a random name), its name short enough for
  // any valid target name.
  size_t slash = target.rfind('/');
  std::string dir =
      slash == std::string::npos ? "" : target.substr(0, slash + 1);
  std::string base =
      slash == std::string::npos ? target : target.substr(slash + 1);
  std::string temp = dir + "." + base.substr(0, 200) + ".tmp.XXXXXX";
  if (temp.size() >= sizeof(pendingTemp)) {
    error = path + ": path too long";
    return false;
  }
  std::vector<char> name(temp.begin(), temp.end());
  name.push_back('\0');
  // The signal handler knows the file from the moment it exists.
  sigset_t cleanupSignals, previous;
  sigemptyset(&cleanupSignals);
  for (int signal : {SIGINT, SIGTERM, SIGHUP})
    sigaddset(&cleanupSignals, signal);
  ::sigprocmask(SIG_BLOCK, &cleanupSignals, &previous);
  int fd = ::mkstemp(name.data());
  if (fd >= 0) {
    std::memcpy(pendingTemp, name.data(), name.size());
    hasPendingTemp = 1;
  }
  int mkstempErrno = errno;
  ::sigprocmask(SIG_SETMASK, &previous, nullptr);
  if (fd < 0) {
    errno = mkstempErrno;
    error = path + ": cannot create a file in its directory: " + errnoText();
    return false;
  }
  auto abandon = [&](const std::string &message) {
    int saved = errno;
    ::close(fd);
    ::unlink(name.data());
    hasPendingTemp = 0;
    errno = saved;
    error = path + ": " + message + ": " + errnoText();
    return false;
  };
  // The mode a new file gets (mkstemp makes 0600), or the replaced file's.
  mode_t mode;
  if (exists) {
    mode = info.st_mode & 07777;
  } else {
    mode_t mask = ::umask(0);
    ::umask(mask);
    mode = 0666 & ~mask;
  }
  if (::fchmod(fd, mode) != 0)
    return abandon("cannot set the file's mode");
  if (!writeAll(fd, prefix.data(), prefix.size()) ||
      !writeAll(fd, static_cast<const char *>(data), bytes))
    return abandon("write failed");
  if (::close(fd) != 0) {
    fd = -1;
    ::unlink(name.data());
    hasPendingTemp = 0;
    error = path + ": write failed: " + errnoText();
    return false;
  }
  if (std::rename(name.data(), target.c_str()) != 0) {
    int saved = errno;
    ::unlink(name.data());
    hasPendingTemp = 0;
    errno = saved;
    error =
        path + ": cannot rename the written file into place: " + errnoText();
    return false;
  }
  hasPendingTemp = 0;
  return true;
}
