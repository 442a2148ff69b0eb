// The packet index: LMDB (one environment, one unnamed database whose keys
// start with a table byte, see index_keys.hpp) under <data_dir>/index.
//
// In: IndexBatch from the indexer thread, one write transaction per batch
// (about one per second), and drop_segment calls from retention on the same
// thread. Out: Reader snapshots for the HTTP threads, which look up the flows
// of a segment matching a filter and then the record offsets of their
// packets. LMDB gives readers MVCC snapshots without locks; MDB_NOTLS lets a
// read transaction live on whichever thread the HTTP server runs it.
#include "index/packet_index.hpp"

#include <lmdb.h>

#include "index/lmdb_txn.hpp"
#include "index/packed_segment.hpp"

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <system_error>

namespace opensoc::index {

namespace {

Error lmdb_error(const std::string& what, int rc) { return Error{what + ": " + mdb_strerror(rc)}; }

MDB_val to_val(std::span<const std::uint8_t> bytes) noexcept {
  // LMDB takes a non-const pointer but does not write through it for keys
  // and put data.
  return MDB_val{bytes.size(), const_cast<std::uint8_t*>(bytes.data())};
}

std::span<const std::uint8_t> to_span(const MDB_val& v) noexcept {
  return {static_cast<const std::uint8_t*>(v.mv_data), v.mv_size};
}

// Closes a cursor on every path out of a scan.
class CursorGuard {
 public:
  explicit CursorGuard(MDB_cursor* c) noexcept : c_(c) {}
  ~CursorGuard() {
    if (c_ != nullptr) mdb_cursor_close(c_);
  }
  CursorGuard(const CursorGuard&) = delete;
  CursorGuard& operator=(const CursorGuard&) = delete;
  [[nodiscard]] MDB_cursor* get() const noexcept { return c_; }
  void close() noexcept {
    if (c_ != nullptr) mdb_cursor_close(c_);
    c_ = nullptr;
  }

 private:
  MDB_cursor* c_;
};


int put(MDB_txn* txn, MDB_dbi dbi, std::span<const std::uint8_t> key, std::span<const std::uint8_t> value) noexcept {
  // Attribute keys have empty values; LMDB still gets a valid pointer.
  static constexpr std::uint8_t kNoBytes[1] = {0};
  MDB_val k = to_val(key);
  MDB_val v = value.empty() ? MDB_val{0, const_cast<std::uint8_t*>(kNoBytes)} : to_val(value);
  return mdb_put(txn, dbi, &k, &v, 0);
}

// Deletes every key that starts with `prefix`: one cursor walk.
int delete_prefix(MDB_cursor* cursor, std::span<const std::uint8_t> prefix) noexcept {
  MDB_val k = to_val(prefix);
  MDB_val v{};
  int rc = mdb_cursor_get(cursor, &k, &v, MDB_SET_RANGE);
  while (rc == 0 && has_prefix(to_span(k), prefix)) {
    if ((rc = mdb_cursor_del(cursor, 0)) != 0) return rc;
    // After a delete the cursor already sits on the next key; MDB_NEXT
    // returns that key rather than skipping it.
    rc = mdb_cursor_get(cursor, &k, &v, MDB_NEXT);
  }
  return rc == MDB_NOTFOUND ? 0 : rc;
}

// A zero-padded copy of an attribute value, as attribute_key pads it.
std::array<std::uint8_t, 16> padded_value(AttributeKind kind, std::span<const std::uint8_t> value) noexcept {
  std::array<std::uint8_t, 16> out{};
  const std::size_t n = std::min(attribute_value_size(kind), value.size());
  if (n != 0) std::memcpy(out.data(), value.data(), n);
  return out;
}

// Sorts and deduplicates out[from, end).
void sort_unique_tail(std::vector<std::uint32_t>& out, std::size_t from) {
  const auto first = out.begin() + static_cast<std::ptrdiff_t>(from);
  std::sort(first, out.end());
  out.erase(std::unique(first, out.end()), out.end());
}

}  // namespace

Result<std::unique_ptr<PacketIndex>> PacketIndex::open(const std::string& directory, Options options) {
  std::error_code ec;
  std::filesystem::create_directories(directory, ec);
  if (ec) return Error{"create index directory " + directory + ": " + ec.message()};

  MDB_env* env = nullptr;
  int rc = mdb_env_create(&env);
  if (rc != 0) return lmdb_error("index " + directory + ": mdb_env_create", rc);
  index::LmdbTxn txn;
  // The transaction must end before the environment closes.
  auto fail = [&](const std::string& what) {
    txn.abort();
    mdb_env_close(env);
    return Error{"index " + directory + ": " + what};
  };
  auto fail_rc = [&](const std::string& what, int code) { return fail(what + ": " + mdb_strerror(code)); };
  if ((rc = mdb_env_set_mapsize(env, options.map_size)) != 0) return fail_rc("set map size", rc);
  if ((rc = mdb_env_set_maxreaders(env, 256)) != 0) return fail_rc("set max readers", rc);
  // NOTLS: read txns are not tied to the thread that began them.
  // NORDAHEAD: lookups are random page reads; readahead would only evict.
  unsigned int flags = MDB_NOTLS | MDB_NORDAHEAD;
  if (options.no_sync) flags |= MDB_NOSYNC;
  if ((rc = mdb_env_open(env, directory.c_str(), flags, 0640)) != 0) return fail_rc("open", rc);
  // Reader slots left by a process that died would pin old pages forever.
  int stale = 0;
  mdb_reader_check(env, &stale);

  if ((rc = txn.begin(env)) != 0) return fail_rc("begin txn", rc);
  MDB_dbi dbi = 0;
  if ((rc = mdb_dbi_open(txn.get(), nullptr, 0, &dbi)) != 0) return fail_rc("open database", rc);
  const auto expected = format_value();
  MDB_val k = to_val(kFormatKey);
  MDB_val v{};
  rc = mdb_get(txn.get(), dbi, &k, &v);
  if (rc == MDB_NOTFOUND) {
    MDB_stat st{};
    if ((rc = mdb_stat(txn.get(), dbi, &st)) != 0) return fail_rc("stat", rc);
    if (st.ms_entries != 0) return fail("not an opensoc index (no format key); move it away to rebuild");
    if ((rc = put(txn.get(), dbi, kFormatKey, expected)) != 0) return fail_rc("write format key", rc);
  } else if (rc != 0) {
    return fail_rc("read format key", rc);
  } else if (v.mv_size != expected.size() || std::memcmp(v.mv_data, expected.data(), expected.size()) != 0) {
    std::uint32_t found = 0;
    if (v.mv_size == expected.size()) found = load_be32(static_cast<const std::uint8_t*>(v.mv_data) + 4);
    return fail("format version " + std::to_string(found) + ", this build reads " + std::to_string(kFormatVersion) +
                "; move the index away to rebuild it");
  }
  if ((rc = txn.commit()) != 0) {
    mdb_env_close(env);
    return lmdb_error("index " + directory + ": commit", rc);
  }
  return std::unique_ptr<PacketIndex>(new PacketIndex(env, dbi, directory));
}

PacketIndex::~PacketIndex() {
  if (env_ != nullptr) mdb_env_close(env_);
}

Result<void> PacketIndex::commit(const IndexBatch& batch) {
  if (batch.empty()) return ok();
  index::LmdbTxn txn;
  int rc = txn.begin(env_);
  if (rc != 0) return lmdb_error("index commit: begin", rc);
  MDB_txn* t = txn.get();

  std::vector<std::uint8_t> value;
  for (const SegmentMeta& meta : batch.segments) {
    if (!encode_segment_meta(meta, value)) return Error{"index commit: segment file name too long"};
    if ((rc = put(t, dbi_, segment_prefix(Table::segment, meta.id).view(), value)) != 0) {
      return lmdb_error("index commit: put segment", rc);
    }
  }
  for (const IndexBatch::NewFlow& f : batch.new_flows) {
    for_each_flow_attribute(f.key, f.community_id_prefix, [&](AttributeKind kind, std::span<const std::uint8_t> v) {
      if (rc == 0) rc = put(t, dbi_, attribute_key(f.segment, kind, v, f.flow_no).view(), {});
    });
    if (rc != 0) return lmdb_error("index commit: put attribute", rc);
  }
  for (const IndexBatch::FlowUpdate& u : batch.flow_updates) {
    if ((rc = put(t, dbi_, flow_record_key(u.segment, u.entry.flow_no).view(), encode_flow_entry(u.entry))) != 0) {
      return lmdb_error("index commit: put flow", rc);
    }
  }
  for (const IndexBatch::PostingChunk& p : batch.postings) {
    if ((rc = put(t, dbi_, postings_key(p.segment, p.flow_no, p.chunk_no).view(), p.encoded)) != 0) {
      return lmdb_error("index commit: put postings", rc);
    }
  }
  if ((rc = txn.commit()) != 0) return lmdb_error("index commit", rc);
  return ok();
}

Result<void> PacketIndex::drop_segment(SegmentId segment) {
  index::LmdbTxn txn;
  int rc = txn.begin(env_);
  if (rc != 0) return lmdb_error("index drop segment: begin", rc);
  MDB_cursor* raw = nullptr;
  if ((rc = mdb_cursor_open(txn.get(), dbi_, &raw)) != 0) return lmdb_error("index drop segment: cursor", rc);
  {
    CursorGuard cursor(raw);
    for (Table table : kSegmentTables) {
      if ((rc = delete_prefix(cursor.get(), segment_prefix(table, segment).view())) != 0) {
        return lmdb_error("index drop segment: delete", rc);
      }
    }
    if ((rc = delete_prefix(cursor.get(), segment_prefix(Table::packed, segment).view())) != 0) {
      return lmdb_error("index drop segment: delete packed", rc);
    }
  }
  if ((rc = txn.commit()) != 0) return lmdb_error("index drop segment: commit", rc);
  return ok();
}

Result<void> PacketIndex::compact_segment(SegmentId segment) {
  index::LmdbTxn txn;
  int rc = txn.begin(env_);
  if (rc != 0) return lmdb_error("index compact: begin", rc);
  MDB_txn* t = txn.get();
  {
    const KeyBuffer key = segment_prefix(Table::segment, segment);
    MDB_val k = to_val(key.view());
    MDB_val v{};
    if ((rc = mdb_get(t, dbi_, &k, &v)) != 0) return Error{"index compact: unknown segment"};
    const auto meta = decode_segment_meta(segment, to_span(v));
    if (!meta || !meta->closed) return Error{"index compact: segment is not closed"};
    const KeyBuffer marker = packed_key(segment, PackedPart::flows);
    k = to_val(marker.view());
    if (mdb_get(t, dbi_, &k, &v) == 0) return ok();  // already compacted
  }
  MDB_cursor* raw = nullptr;
  if ((rc = mdb_cursor_open(t, dbi_, &raw)) != 0) return lmdb_error("index compact: cursor", rc);
  CursorGuard cursor(raw);
  MDB_val k{};
  MDB_val v{};
  std::uint64_t slots = 0;  // highest flow_no + 1

  // Flow entries, copied: the reads must not point into pages the deletes
  // below free.
  struct RawFlow {
    std::uint32_t flow_no;
    std::array<std::uint8_t, kFlowEntryValueSize> bytes;
    bool sized;  // the value had FlowEntry's length
  };
  std::vector<RawFlow> flows;
  const KeyBuffer flow_prefix = segment_prefix(Table::flow, segment);
  k = to_val(flow_prefix.view());
  for (rc = mdb_cursor_get(raw, &k, &v, MDB_SET_RANGE); rc == 0 && has_prefix(to_span(k), flow_prefix.view());
       rc = mdb_cursor_get(raw, &k, &v, MDB_NEXT)) {
    if (k.mv_size != kFlowKeySize) continue;  // readers skip such keys too
    RawFlow f{load_be32(static_cast<const std::uint8_t*>(k.mv_data) + kSegmentPrefixSize), {}, false};
    if (v.mv_size == kFlowEntryValueSize) {
      std::memcpy(f.bytes.data(), v.mv_data, kFlowEntryValueSize);
      f.sized = true;
    }
    slots = std::max<std::uint64_t>(slots, std::uint64_t{f.flow_no} + 1);
    flows.push_back(f);
  }
  if (rc != 0 && rc != MDB_NOTFOUND) return lmdb_error("index compact: read flows", rc);

  // Postings: each flow's chunks decoded in order and re-encoded as one
  // stream. Anything Reader::postings would call corrupt stops compaction.
  PackedPostingsBuilder postings;
  std::size_t posting_flows = 0;
  {
    const KeyBuffer prefix = segment_prefix(Table::postings, segment);
    std::vector<Posting> current;
    std::uint32_t current_flow = 0;
    std::uint32_t last_chunk = 0;
    bool have = false;
    auto flush = [&]() {
      if (!have) return true;
      ++posting_flows;
      return postings.add(current_flow, current, last_chunk);
    };
    k = to_val(prefix.view());
    for (rc = mdb_cursor_get(raw, &k, &v, MDB_SET_RANGE); rc == 0 && has_prefix(to_span(k), prefix.view());
         rc = mdb_cursor_get(raw, &k, &v, MDB_NEXT)) {
      const auto key = to_span(k);
      if (key.size() != kPostingsKeySize || v.mv_size == 0) return Error{"index compact: damaged postings"};
      const std::uint32_t flow_no = load_be32(key.data() + kSegmentPrefixSize);
      if (!have || flow_no != current_flow) {
        if (!flush()) return Error{"index compact: damaged postings"};
        current.clear();
        current_flow = flow_no;
        have = true;
      }
      last_chunk = load_be32(key.data() + kFlowKeySize);
      const std::size_t before = current.size();
      if (!decode_postings(to_span(v), current) ||
          (before > 0 && current.size() > before && current[before].offset <= current[before - 1].offset)) {
        return Error{"index compact: damaged postings"};
      }
      slots = std::max<std::uint64_t>(slots, std::uint64_t{flow_no} + 1);
    }
    if (rc != 0 && rc != MDB_NOTFOUND) return lmdb_error("index compact: read postings", rc);
    if (!flush()) return Error{"index compact: damaged postings"};
  }
  // Flow numbers are dense (0, 1, ...); sparse ones would make the arrays
  // huge, so such a segment keeps its keys.
  if (slots > 2 * (flows.size() + posting_flows) + 1024 || slots > 0xFFFFFFFFULL / kPackedFlowSlotSize) {
    return Error{"index compact: flow numbers are not dense"};
  }

  // Attributes: keys are already in (kind, value, flow_no) order.
  std::array<std::vector<std::uint8_t>, 6> attributes;
  for (std::size_t i = 0; i < attributes.size(); ++i) {
    attributes[i] = start_packed_attributes(static_cast<AttributeKind>(i + 1));
  }
  {
    const KeyBuffer prefix = segment_prefix(Table::attribute, segment);
    k = to_val(prefix.view());
    for (rc = mdb_cursor_get(raw, &k, &v, MDB_SET_RANGE); rc == 0 && has_prefix(to_span(k), prefix.view());
         rc = mdb_cursor_get(raw, &k, &v, MDB_NEXT)) {
      const auto key = to_span(k);
      if (key.size() <= kSegmentPrefixSize) continue;
      const std::uint8_t kind = key[kSegmentPrefixSize];
      if (kind < 1 || kind > attributes.size()) continue;  // no reader asks for it
      const std::size_t width = attribute_value_size(static_cast<AttributeKind>(kind));
      if (key.size() != kSegmentPrefixSize + 1 + width + 4) continue;  // readers skip it too
      append_packed_attribute(attributes[kind - 1], key.subspan(kSegmentPrefixSize + 1, width),
                              load_be32(key.data() + key.size() - 4));
    }
    if (rc != 0 && rc != MDB_NOTFOUND) return lmdb_error("index compact: read attributes", rc);
  }

  PackedFlowsBuilder packed_flows(static_cast<std::uint32_t>(slots));
  for (const RawFlow& f : flows) {
    packed_flows.set(f.flow_no, f.sized ? std::span<const std::uint8_t>(f.bytes) : std::span<const std::uint8_t>{});
  }
  const std::vector<std::uint8_t> packed_postings = postings.finish(static_cast<std::uint32_t>(slots));

  for (Table table : {Table::flow, Table::attribute, Table::postings}) {
    if ((rc = delete_prefix(raw, segment_prefix(table, segment).view())) != 0) {
      return lmdb_error("index compact: delete", rc);
    }
  }
  if ((rc = put(t, dbi_, packed_key(segment, PackedPart::flows).view(), packed_flows.bytes())) != 0 ||
      (rc = put(t, dbi_, packed_key(segment, PackedPart::postings).view(), packed_postings)) != 0) {
    return lmdb_error("index compact: put", rc);
  }
  for (std::size_t i = 0; i < attributes.size(); ++i) {
    const KeyBuffer key = packed_attribute_key(segment, static_cast<AttributeKind>(i + 1));
    if ((rc = put(t, dbi_, key.view(), attributes[i])) != 0) return lmdb_error("index compact: put", rc);
  }
  cursor.close();  // a write cursor must close before its transaction ends
  if ((rc = txn.commit()) != 0) return lmdb_error("index compact: commit", rc);
  return ok();
}

Result<std::uint64_t> PacketIndex::file_bytes() const {
  MDB_envinfo info{};
  MDB_stat st{};
  int rc = mdb_env_info(env_, &info);
  if (rc == 0) rc = mdb_env_stat(env_, &st);
  if (rc != 0) return lmdb_error("index size", rc);

  MDB_txn* txn = nullptr;
  if ((rc = mdb_txn_begin(env_, nullptr, MDB_RDONLY, &txn)) != 0) return lmdb_error("index size: begin", rc);
  // The free list is database 0: each value is a page-number list whose first
  // element is its length.
  std::uint64_t free_pages = 0;
  MDB_cursor* raw = nullptr;
  if ((rc = mdb_cursor_open(txn, 0, &raw)) == 0) {
    CursorGuard cursor(raw);
    MDB_val k{};
    MDB_val v{};
    for (rc = mdb_cursor_get(raw, &k, &v, MDB_FIRST); rc == 0; rc = mdb_cursor_get(raw, &k, &v, MDB_NEXT)) {
      if (v.mv_size >= sizeof(std::size_t)) {
        std::size_t n = 0;
        std::memcpy(&n, v.mv_data, sizeof n);
        free_pages += n;
      }
    }
  }
  mdb_txn_abort(txn);
  if (rc != 0 && rc != MDB_NOTFOUND) return lmdb_error("index size: free list", rc);
  const std::uint64_t pages = static_cast<std::uint64_t>(info.me_last_pgno) + 1;
  return (pages - std::min(pages, free_pages)) * st.ms_psize;
}

Result<PacketIndex::Reader> PacketIndex::read() const {
  MDB_txn* txn = nullptr;
  const int rc = mdb_txn_begin(env_, nullptr, MDB_RDONLY, &txn);
  if (rc != 0) return lmdb_error("index read: begin", rc);
  return Reader(txn, dbi_);
}

PacketIndex::Reader::Reader(Reader&& other) noexcept : txn_(std::exchange(other.txn_, nullptr)), dbi_(other.dbi_) {}

PacketIndex::Reader& PacketIndex::Reader::operator=(Reader&& other) noexcept {
  if (this != &other) {
    if (txn_ != nullptr) mdb_txn_abort(txn_);
    txn_ = std::exchange(other.txn_, nullptr);
    dbi_ = other.dbi_;
  }
  return *this;
}

PacketIndex::Reader::~Reader() {
  if (txn_ != nullptr) mdb_txn_abort(txn_);
}

std::vector<SegmentMeta> PacketIndex::Reader::segments() const {
  std::vector<SegmentMeta> out;
  MDB_cursor* raw = nullptr;
  if (mdb_cursor_open(txn_, dbi_, &raw) != 0) return out;
  CursorGuard cursor(raw);
  const std::uint8_t table = static_cast<std::uint8_t>(Table::segment);
  MDB_val k{1, const_cast<std::uint8_t*>(&table)};
  MDB_val v{};
  for (int rc = mdb_cursor_get(raw, &k, &v, MDB_SET_RANGE); rc == 0; rc = mdb_cursor_get(raw, &k, &v, MDB_NEXT)) {
    const auto key = to_span(k);
    if (key.empty() || key[0] != table) break;
    if (key.size() != kSegmentPrefixSize) continue;
    if (auto meta = decode_segment_meta(load_be64(key.data() + 1), to_span(v))) out.push_back(std::move(*meta));
  }
  return out;
}

std::optional<SegmentMeta> PacketIndex::Reader::segment(SegmentId id) const {
  const KeyBuffer key = segment_prefix(Table::segment, id);
  MDB_val k = to_val(key.view());
  MDB_val v{};
  if (mdb_get(txn_, dbi_, &k, &v) != 0) return std::nullopt;
  return decode_segment_meta(id, to_span(v));
}

void PacketIndex::Reader::scan_flow_numbers(std::span<const std::uint8_t> prefix, std::span<const std::uint8_t> from,
                                            std::span<const std::uint8_t> to, std::size_t key_size,
                                            std::vector<std::uint32_t>& out) const {
  MDB_cursor* raw = nullptr;
  if (mdb_cursor_open(txn_, dbi_, &raw) != 0) return;
  CursorGuard cursor(raw);
  MDB_val k = to_val(from);
  MDB_val v{};
  for (int rc = mdb_cursor_get(raw, &k, &v, MDB_SET_RANGE); rc == 0; rc = mdb_cursor_get(raw, &k, &v, MDB_NEXT)) {
    const auto key = to_span(k);
    if (!has_prefix(key, prefix)) break;
    // Keys of one prefix are ordered; compare only as many bytes as `to` has.
    const std::size_t n = std::min(key.size(), to.size());
    const int cmp = std::memcmp(key.data(), to.data(), n);
    if (cmp > 0 || (cmp == 0 && key.size() > to.size())) break;
    if (key.size() != key_size) continue;
    out.push_back(load_be32(key.data() + key_size - 4));
  }
}

std::optional<std::span<const std::uint8_t>> PacketIndex::Reader::value_of(const KeyBuffer& key) const {
  MDB_val k = to_val(key.view());
  MDB_val v{};
  if (mdb_get(txn_, dbi_, &k, &v) != 0) return std::nullopt;
  return to_span(v);
}

bool PacketIndex::Reader::compacted(SegmentId seg) const {
  return value_of(packed_key(seg, PackedPart::flows)).has_value();
}

void PacketIndex::Reader::flows_with_attribute(SegmentId seg, AttributeKind kind, std::span<const std::uint8_t> value,
                                               std::vector<std::uint32_t>& out) const {
  if (const auto packed = value_of(packed_attribute_key(seg, kind))) {
    const std::size_t from = out.size();
    if (const auto view = PackedAttributesView::parse(kind, *packed)) {
      const auto v = padded_value(kind, value);
      view->flows_in_range(v.data(), v.data(), out);
    }
    sort_unique_tail(out, from);
    return;
  }
  const KeyBuffer prefix = attribute_prefix(seg, kind, value);
  const std::size_t from = out.size();
  scan_flow_numbers(prefix.view(), prefix.view(), attribute_key(seg, kind, value, 0xFFFFFFFF).view(),
                    prefix.size + 4, out);
  sort_unique_tail(out, from);
}

void PacketIndex::Reader::flows_with_ip(SegmentId seg, std::uint8_t version, const std::uint8_t lo[16],
                                        const std::uint8_t hi[16], std::vector<std::uint32_t>& out) const {
  if (version != 4 && version != 6) return;
  const AttributeKind kind = version == 4 ? AttributeKind::ip4 : AttributeKind::ip6;
  const std::size_t width = attribute_value_size(kind);
  const std::span<const std::uint8_t> lo_value(lo, width);
  const std::span<const std::uint8_t> hi_value(hi, width);
  if (std::memcmp(lo, hi, width) > 0) return;
  if (const auto packed = value_of(packed_attribute_key(seg, kind))) {
    const std::size_t from = out.size();
    if (const auto view = PackedAttributesView::parse(kind, *packed)) view->flows_in_range(lo, hi, out);
    sort_unique_tail(out, from);
    return;
  }
  // T | seg | kind: every address key of this family, and nothing of the other.
  KeyBuffer family = segment_prefix(Table::attribute, seg);
  family.bytes[family.size++] = static_cast<std::uint8_t>(kind);
  const std::size_t from = out.size();
  scan_flow_numbers(family.view(), attribute_key(seg, kind, lo_value, 0).view(),
                    attribute_key(seg, kind, hi_value, 0xFFFFFFFF).view(), family.size + width + 4, out);
  sort_unique_tail(out, from);
}

void PacketIndex::Reader::flows_with_port(SegmentId seg, std::uint16_t port, std::vector<std::uint32_t>& out) const {
  std::uint8_t v[2];
  store_be16(v, port);
  flows_with_attribute(seg, AttributeKind::port, v, out);
}

void PacketIndex::Reader::flows_with_proto(SegmentId seg, std::uint8_t proto, std::vector<std::uint32_t>& out) const {
  flows_with_attribute(seg, AttributeKind::proto, std::span<const std::uint8_t>(&proto, 1), out);
}

void PacketIndex::Reader::flows_with_vlan(SegmentId seg, std::uint16_t vlan, std::vector<std::uint32_t>& out) const {
  if (vlan == 0) return;
  std::uint8_t v[2];
  store_be16(v, vlan);
  flows_with_attribute(seg, AttributeKind::vlan, v, out);
}

void PacketIndex::Reader::flows_with_community_id(SegmentId seg, const std::array<std::uint8_t, 8>& prefix,
                                                  std::vector<std::uint32_t>& out) const {
  flows_with_attribute(seg, AttributeKind::community_id, prefix, out);
}

void PacketIndex::Reader::all_flows(SegmentId seg, std::vector<std::uint32_t>& out) const {
  if (const auto packed = value_of(packed_key(seg, PackedPart::flows))) {
    if (const auto view = PackedFlowsView::parse(*packed)) {
      for (std::uint32_t no = 0; no < view->slots(); ++no) {
        if (view->present(no)) out.push_back(no);
      }
    }
    return;
  }
  const KeyBuffer prefix = segment_prefix(Table::flow, seg);
  scan_flow_numbers(prefix.view(), prefix.view(), flow_record_key(seg, 0xFFFFFFFF).view(), kFlowKeySize, out);
}

std::optional<FlowEntry> PacketIndex::Reader::flow(SegmentId seg, std::uint32_t flow_no) const {
  if (const auto packed = value_of(packed_key(seg, PackedPart::flows))) {
    const auto view = PackedFlowsView::parse(*packed);
    return view ? view->entry(flow_no) : std::nullopt;
  }
  const KeyBuffer key = flow_record_key(seg, flow_no);
  MDB_val k = to_val(key.view());
  MDB_val v{};
  if (mdb_get(txn_, dbi_, &k, &v) != 0) return std::nullopt;
  return decode_flow_entry(flow_no, to_span(v));
}

bool PacketIndex::Reader::postings(SegmentId seg, std::uint32_t flow_no, std::vector<Posting>& out) const {
  if (const auto packed = value_of(packed_key(seg, PackedPart::postings))) {
    const auto view = PackedPostingsView::parse(*packed);
    return view && view->postings(flow_no, out);
  }
  const std::size_t entry_size = out.size();
  MDB_cursor* raw = nullptr;
  if (mdb_cursor_open(txn_, dbi_, &raw) != 0) return false;
  CursorGuard cursor(raw);
  const KeyBuffer prefix = postings_prefix(seg, flow_no);
  MDB_val k = to_val(prefix.view());
  MDB_val v{};
  int rc = mdb_cursor_get(raw, &k, &v, MDB_SET_RANGE);
  for (; rc == 0; rc = mdb_cursor_get(raw, &k, &v, MDB_NEXT)) {
    const auto key = to_span(k);
    if (!has_prefix(key, prefix.view())) break;
    const std::size_t chunk_start = out.size();
    // Chunks are in chunk_no order and must continue the offsets: a chunk
    // that goes back means the index is damaged.
    if (key.size() != kPostingsKeySize || !decode_postings(to_span(v), out) ||
        (chunk_start > entry_size && chunk_start < out.size() &&
         out[chunk_start].offset <= out[chunk_start - 1].offset)) {
      out.resize(entry_size);
      return false;
    }
  }
  if (rc != 0 && rc != MDB_NOTFOUND) {
    out.resize(entry_size);
    return false;
  }
  return true;
}

std::optional<PacketIndex::PostingsTail> PacketIndex::Reader::postings_tail(SegmentId seg,
                                                                           std::uint32_t flow_no) const {
  if (const auto packed = value_of(packed_key(seg, PackedPart::postings))) {
    const auto view = PackedPostingsView::parse(*packed);
    if (!view) return std::nullopt;
    const auto tail = view->tail(flow_no);
    if (!tail) return std::nullopt;
    return PostingsTail{tail->first, tail->second};
  }
  MDB_cursor* raw = nullptr;
  if (mdb_cursor_open(txn_, dbi_, &raw) != 0) return std::nullopt;
  CursorGuard cursor(raw);
  const KeyBuffer prefix = postings_prefix(seg, flow_no);
  const KeyBuffer last = postings_key(seg, flow_no, 0xFFFFFFFF);
  MDB_val k = to_val(last.view());
  MDB_val v{};
  // The last chunk is the greatest key <= last: the key at or after it, or
  // the one before.
  int rc = mdb_cursor_get(raw, &k, &v, MDB_SET_RANGE);
  if (rc == MDB_NOTFOUND) {
    rc = mdb_cursor_get(raw, &k, &v, MDB_LAST);
  } else if (rc == 0 && !(to_span(k).size() == last.size &&
                          std::memcmp(k.mv_data, last.bytes.data(), last.size) == 0)) {
    rc = mdb_cursor_get(raw, &k, &v, MDB_PREV);
  }
  if (rc != 0) return std::nullopt;
  const auto key = to_span(k);
  if (!has_prefix(key, prefix.view()) || key.size() != kPostingsKeySize) return std::nullopt;
  std::vector<Posting> chunk;
  if (!decode_postings(to_span(v), chunk) || chunk.empty()) return std::nullopt;
  return PostingsTail{load_be32(key.data() + kFlowKeySize), chunk.back().offset};
}

}  // namespace opensoc::index
