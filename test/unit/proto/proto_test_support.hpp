#pragma once
// Test support for the application-layer parsers: real payloads out of real
// captures, with tshark choosing the packets and reading the fields that the
// parsers must agree with.
#include <cstdint>
#include <string>
#include <vector>

namespace opensoc::proto::test {

/// One row per packet tshark selects with `display_filter` in `pcap`: the
/// values of `fields` (tshark -T fields -E separator=/t -E occurrence=a
/// -E aggregator=,), in order. Empty when tshark fails.
std::vector<std::vector<std::string>> tshark_rows(const std::string& pcap, const std::string& display_filter,
                                                  const std::vector<std::string>& fields);

/// Bytes of a hex string as tshark prints payloads ("0a1b…" or "0a:1b:…").
std::vector<std::uint8_t> from_hex(const std::string& hex);

/// The UDP or TCP payload bytes (field "udp.payload" or "tcp.payload") of
/// every packet `display_filter` selects, in capture order.
std::vector<std::vector<std::uint8_t>> tshark_payloads(const std::string& pcap, const std::string& display_filter,
                                                       const std::string& payload_field);

/// <corpus>/suricata-verify/tests/<test>/<file>.
std::string corpus_capture(const std::string& test, const std::string& file);

}  // namespace opensoc::proto::test
