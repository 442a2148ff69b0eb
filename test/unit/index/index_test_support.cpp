#include "index_test_support.hpp"

#include <arpa/inet.h>
#include <lmdb.h>
#include <stdlib.h>

#include <cstring>
#include <filesystem>
#include <stdexcept>
#include <vector>

namespace opensoc::index::test {

void parse_address(const std::string& text, std::uint8_t out[16]) {
  std::memset(out, 0, 16);
  if (text.find(':') != std::string::npos) {
    if (::inet_pton(AF_INET6, text.c_str(), out) != 1) throw std::runtime_error("bad IPv6 " + text);
  } else if (::inet_pton(AF_INET, text.c_str(), out) != 1) {
    throw std::runtime_error("bad IPv4 " + text);
  }
}

FlowKey make_key(const std::string& a, std::uint16_t a_port, const std::string& b, std::uint16_t b_port,
                 std::uint8_t proto, std::uint16_t vlan) {
  FlowKey k{};
  parse_address(a, k.lo_addr);
  parse_address(b, k.hi_addr);
  k.lo_port = a_port;
  k.hi_port = b_port;
  k.vlan = vlan;
  k.ip_proto = proto;
  k.ip_version = a.find(':') != std::string::npos ? 6 : 4;
  return k;
}

std::map<std::pair<std::uint8_t, SegmentId>, std::uint64_t> count_keys(const std::string& directory) {
  std::map<std::pair<std::uint8_t, SegmentId>, std::uint64_t> counts;
  MDB_env* env = nullptr;
  if (mdb_env_create(&env) != 0) throw std::runtime_error("mdb_env_create");
  if (mdb_env_open(env, directory.c_str(), MDB_RDONLY | MDB_NOTLS, 0640) != 0) {
    mdb_env_close(env);
    throw std::runtime_error("mdb_env_open " + directory);
  }
  MDB_txn* txn = nullptr;
  MDB_dbi dbi = 0;
  MDB_cursor* cursor = nullptr;
  if (mdb_txn_begin(env, nullptr, MDB_RDONLY, &txn) != 0 || mdb_dbi_open(txn, nullptr, 0, &dbi) != 0 ||
      mdb_cursor_open(txn, dbi, &cursor) != 0) {
    mdb_env_close(env);
    throw std::runtime_error("raw LMDB read");
  }
  MDB_val k{};
  MDB_val v{};
  for (int rc = mdb_cursor_get(cursor, &k, &v, MDB_FIRST); rc == 0; rc = mdb_cursor_get(cursor, &k, &v, MDB_NEXT)) {
    const auto* p = static_cast<const std::uint8_t*>(k.mv_data);
    const SegmentId seg = k.mv_size >= kSegmentPrefixSize ? load_be64(p + 1) : 0;
    ++counts[{p[0], seg}];
  }
  mdb_cursor_close(cursor);
  mdb_txn_abort(txn);
  mdb_env_close(env);
  return counts;
}

}  // namespace opensoc::index::test
