// Fuzzes parse_ssh_kexinit over arbitrary bytes (the stream after an SSH
// identification line) and, when it parses, both HASSH computations: every
// list view must lie inside the input. Seeds: test/fuzz/seeds/ssh_kexinit/
// (client and server KEXINIT packets from corpus captures).
#include <cstddef>
#include <cstdint>
#include <span>

#include "proto/ssh_kexinit.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace opensoc::proto;
  SshKexinit k;
  if (parse_ssh_kexinit(std::span<const std::uint8_t>(data, size), k) != SshKexinitStatus::ok) return 0;
  if (k.consumed > size) __builtin_trap();
  const auto* begin = reinterpret_cast<const char*>(data);
  for (std::string_view v : {k.kex_algorithms, k.encryption_client_to_server, k.mac_server_to_client,
                             k.compression_server_to_client}) {
    if (!v.empty() && (v.data() < begin || v.data() + v.size() > begin + size)) __builtin_trap();
  }
  const Hassh c = compute_hassh(k, true);
  const Hassh s = compute_hassh(k, false);
  if (c.md5.size() != 32 || s.md5.size() != 32) __builtin_trap();
  return 0;
}
