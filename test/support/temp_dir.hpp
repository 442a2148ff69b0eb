#pragma once
// TempDir: a private directory made with mkdtemp (under $TMPDIR, else /tmp)
// for one test, removed with everything in it when the test ends.
#include <string>

namespace opensoc::test {

class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  [[nodiscard]] const std::string& path() const { return path_; }
  /// path() + "/" + name.
  [[nodiscard]] std::string file(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

}  // namespace opensoc::test
