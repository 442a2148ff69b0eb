#pragma once
// NetflowDecoder: NetFlow v5, NetFlow v9 (RFC 3954) and IPFIX (RFC 7011)
// export datagrams into flow records. Templates are kept per exporter
// (address, port, source id / observation domain) and expire; data sets whose
// template is not known yet are counted, not guessed.
// One instance per thread (it owns the template cache).
#include <cstdint>
#include <map>
#include <span>
#include <vector>

#include "opensoc/core/ip_address.hpp"
#include "opensoc/core/log_event.hpp"
#include "opensoc/core/time.hpp"

namespace opensoc::logparse {

struct NetflowOptions {
  std::int64_t template_timeout_s = 1800;  ///< a template not refreshed for this long is forgotten
  std::size_t max_templates = 65536;        ///< over all exporters; beyond it new templates are refused (counted)
};

struct NetflowStats {
  std::uint64_t packets = 0;            ///< datagrams given to decode()
  std::uint64_t records = 0;            ///< flow records produced
  std::uint64_t templates = 0;          ///< templates (and options templates) learnt or refreshed
  std::uint64_t templates_active = 0;   ///< in the cache now
  std::uint64_t missing_template = 0;   ///< data sets skipped: no template (yet)
  std::uint64_t malformed = 0;          ///< datagrams or sets that failed to parse (rest of the datagram skipped)
  std::uint64_t sequence_gaps = 0;      ///< flows (v5/IPFIX) or packets (v9) the exporter's sequence numbers say were lost
  std::uint64_t unsupported_version = 0;
  std::uint64_t templates_refused = 0;  ///< new templates not learnt because max_templates was reached
};

class NetflowDecoder {
 public:
  explicit NetflowDecoder(NetflowOptions options = {});

  /// Appends one LogEvent per flow record to `out` and returns how many.
  /// Each: dataset "netflow", parser "netflow_v5" / "netflow_v9" / "ipfix",
  /// timestamp = flow end (else the export time), endpoints (addresses, ports,
  /// ip_proto), and fields source.ip/.port, destination.ip/.port,
  /// network.transport, network.iana_number, network.bytes, network.packets,
  /// event.start, event.end (time), netflow.exporter.address,
  /// netflow.exporter.version, netflow.exporter.source_id,
  /// netflow.tcp_control_bits, netflow.ip_tos, netflow.ingress_interface,
  /// netflow.egress_interface, source.as.number, destination.as.number (when
  /// the record has them), netflow.sampling_interval (v5 header). IPFIX
  /// biflow reverse counters -> destination.bytes / destination.packets with
  /// source.bytes / source.packets for the forward ones.
  /// Never throws; a bad datagram is counted in stats().malformed.
  std::size_t decode(std::span<const std::uint8_t> datagram, const IpAddress& exporter, std::uint16_t exporter_port,
                     TimestampNs received, std::vector<LogEvent>& out);

  /// Forgets templates not refreshed since `now - template_timeout_s`.
  void expire(TimestampNs now);

  [[nodiscard]] const NetflowStats& stats() const noexcept { return stats_; }

 private:
  struct TemplateKey {
    IpAddress exporter;
    std::uint16_t port = 0;
    std::uint32_t domain = 0;
    std::uint16_t template_id = 0;
    std::uint16_t version = 0;
    friend auto operator<=>(const TemplateKey&, const TemplateKey&) = default;
  };
  struct TemplateField {
    std::uint16_t type = 0;
    std::uint16_t length = 0;  ///< 65535: variable length (IPFIX)
    std::uint32_t enterprise = 0;
  };
  struct Template {
    std::vector<TemplateField> fields;
    std::uint16_t scope_fields = 0;  ///< options templates: leading scope fields
    bool options = false;
    TimestampNs refreshed = 0;
  };
  struct SequenceKey {
    IpAddress exporter;
    std::uint16_t port = 0;
    std::uint32_t domain = 0;
    std::uint16_t version = 0;
    friend auto operator<=>(const SequenceKey&, const SequenceKey&) = default;
  };

  struct Datagram;  // one datagram's header facts, defined in the .cpp
  std::size_t decode_v5(const Datagram& d, std::span<const std::uint8_t> bytes, std::vector<LogEvent>& out);
  std::size_t decode_sets(const Datagram& d, std::span<const std::uint8_t> sets, std::vector<LogEvent>& out);
  bool learn_templates(const Datagram& d, std::uint16_t set_id, std::span<const std::uint8_t> body);
  bool decode_data_set(const Datagram& d, const Template& t, std::span<const std::uint8_t> body,
                       std::vector<LogEvent>& out, std::size_t& produced, std::uint32_t& data_records);
  void store_template(const TemplateKey& key, Template t, TimestampNs received);
  void withdraw(const Datagram& d, std::uint16_t template_id, bool options);
  void account_sequence(const SequenceKey& key, std::uint32_t sequence, std::uint32_t units, bool units_known);

  NetflowOptions options_;
  std::map<TemplateKey, Template> templates_;
  std::map<SequenceKey, std::int64_t> system_init_ms_;  ///< IPFIX systemInitTimeMilliseconds per exporter+domain
  std::map<SequenceKey, std::uint32_t> next_sequence_;
  NetflowStats stats_;
};

}  // namespace opensoc::logparse
