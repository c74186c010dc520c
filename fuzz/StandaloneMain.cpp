//===- StandaloneMain.cpp - Run a fuzz target on files, without libFuzzer -===//
//
// In builds without libFuzzer (g++, the default build) each fuzz target is
// linked with this main, which runs LLVMFuzzerTestOneInput once on every
// file given, directories walked: the committed corpus and the crash
// regressions replay as ordinary tests. Arguments starting with '-' (libFuzzer
// flags such as -runs=0) are ignored.
//
//===----------------------------------------------------------------------===//

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void runFile(const std::filesystem::path &path, size_t &count) {
  std::ifstream in(path, std::ios::binary);
  std::vector<char> bytes((std::istreambuf_iterator<char>(in)),
                          std::istreambuf_iterator<char>());
  LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t *>(bytes.data()),
                         bytes.size());
  ++count;
}

int main(int argc, char **argv) {
  size_t count = 0;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (!arg.empty() && arg[0] == '-')
      continue;
    std::filesystem::path path(arg);
    if (!std::filesystem::exists(path)) {
      std::fprintf(stderr, "error: no such file or directory: %s\n",
                   arg.c_str());
      return 2;
    }
    if (std::filesystem::is_directory(path)) {
      std::vector<std::filesystem::path> files;
      for (const auto &entry :
           std::filesystem::recursive_directory_iterator(path))
        if (entry.is_regular_file())
          files.push_back(entry.path());
      std::sort(files.begin(), files.end());
      for (const auto &file : files)
        runFile(file, count);
    } else {
      runFile(path, count);
    }
  }
  std::printf("ran %zu input(s)\n", count);
  return 0;
}
