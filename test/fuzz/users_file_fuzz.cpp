// Fuzzes the users file reader: any bytes must give a UserStore or an Error,
// never a crash or an escaping exception. A file that loads must render and
// re-read to the same text (what the daemon and `opensocd user` rely on when
// they save). The bytes go through a real file, as the daemon reads them.
// Seeds: test/fuzz/seeds/users_file/.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "auth/user_store.hpp"
#include "auth/users_file_json.hpp"

namespace {

struct ScratchFile {
  std::string path;
  ScratchFile() {
    const char* tmp = std::getenv("TMPDIR");
    path = std::string(tmp != nullptr && *tmp != '\0' ? tmp : "/tmp") + "/users_file_fuzz.XXXXXX";
    const int fd = ::mkstemp(path.data());
    if (fd < 0) __builtin_trap();
    ::close(fd);
  }
  ~ScratchFile() { ::unlink(path.c_str()); }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace opensoc::auth;
  static const ScratchFile scratch;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  std::FILE* f = std::fopen(scratch.path.c_str(), "wb");
  if (f == nullptr) __builtin_trap();
  if (size != 0 && std::fwrite(data, 1, size, f) != size) __builtin_trap();
  std::fclose(f);

  const auto store = UserStore::load(scratch.path);
  const auto parsed = parse_users_file(text);
  // The file and the in-memory parse agree.
  if (store.has_value() != parsed.has_value()) __builtin_trap();
  if (!parsed.has_value()) {
    if (parsed.error().message.empty()) __builtin_trap();
    return 0;
  }
  const std::string rendered = render_users_file(*parsed);
  const auto again = parse_users_file(rendered);
  if (!again.has_value() || render_users_file(*again) != rendered) __builtin_trap();
  for (const auto& u : store->users()) {
    if (store->find(u.name) == nullptr) __builtin_trap();
    (void)store->find_by_certificate("CN=x", std::string(64, 'a'));
  }
  return 0;
}
