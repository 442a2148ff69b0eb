#include "flow/community_id.hpp"

#include <catch2/catch.hpp>

#include <string>

#include "test_packets.hpp"

namespace opensoc::flow {
namespace {

struct Vector {
  std::uint16_t seed;
  std::uint8_t proto;
  const char* src;
  const char* dst;
  std::uint16_t sport;  // ICMP: type
  std::uint16_t dport;  // ICMP: code (or the spec's port-equivalent: the mapping ignores the code)
  const char* expected;
};

// The published baselines of the Community ID spec
// (corelight/community-id-spec baseline/baseline_deflt.json and
// baseline_seed1.json), each re-derived independently from the spec's
// algorithm with Python's hashlib before being copied here.
const Vector kVectors[] = {
    {0, 58, "fe80::200:86ff:fe05:80da", "fe80::260:97ff:fe07:69ea", 135, 136, "1:dGHyGvjMfljg6Bppwm3bg0LO8TY="},
    {0, 58, "fe80::260:97ff:fe07:69ea", "fe80::200:86ff:fe05:80da", 136, 135, "1:dGHyGvjMfljg6Bppwm3bg0LO8TY="},
    {0, 58, "fe80::260:97ff:fe07:69ea", "fe80::200:86ff:fe05:80da", 135, 136, "1:zavyT/cezQr1fmImYCwYnMXbgck="},
    {0, 58, "fe80::200:86ff:fe05:80da", "fe80::260:97ff:fe07:69ea", 136, 135, "1:zavyT/cezQr1fmImYCwYnMXbgck="},
    {0, 58, "3ffe:501:1800:2345::2", "3ffe:507:0:1:200:86ff:fe05:80da", 3, 0, "1:2ObVBgIn28oZvibYZhZMBgh7WdQ="},
    {0, 58, "3ffe:501:410:0:2c0:dfff:fe47:33e", "3ffe:507:0:1:200:86ff:fe05:80da", 1, 4, "1:hLZd0XGWojozrvxqE0dWB1iM6R0="},
    {0, 58, "3ffe:507:0:1:200:86ff:fe05:80da", "3ffe:501:0:1001::2", 128, 129, "1:+TW+HtLHvV1xnGhV1lv7XoJrqQg="},
    {0, 58, "3ffe:501:0:1001::2", "3ffe:507:0:1:200:86ff:fe05:80da", 129, 128, "1:+TW+HtLHvV1xnGhV1lv7XoJrqQg="},
    {0, 58, "fe80::200:86ff:fe05:80da", "ff02::2", 133, 134, "1:hO+sN4H+MG5MY/8hIrXPqc4ZQz0="},
    {0, 58, "fe80::260:97ff:fe07:69ea", "ff02::1", 134, 133, "1:pkvHqCL88/tg1k4cPigmZXUtL00="},
    {0, 1, "192.168.0.89", "192.168.0.1", 8, 0, "1:X0snYXpgwiv9TZtqg64sgzUn6Dk="},
    {0, 1, "192.168.0.1", "192.168.0.89", 0, 8, "1:X0snYXpgwiv9TZtqg64sgzUn6Dk="},
    {0, 1, "10.0.0.1", "10.0.0.2", 11, 0, "1:YHxtAirCG//0OzkcVAukqKQN9xM="},
    {0, 6, "2001:470:e5bf:dead:4957:2174:e82c:4887", "2607:f8b0:400c:c03::1a", 63943, 25, "1:/qFaeAR+gFe1KYjMzVDsMv+wgU4="},
    {0, 6, "2607:f8b0:400c:c03::1a", "2001:470:e5bf:dead:4957:2174:e82c:4887", 25, 63943, "1:/qFaeAR+gFe1KYjMzVDsMv+wgU4="},
    {0, 132, "192.168.170.8", "192.168.170.56", 7, 7, "1:MP2EtRCAUIZvTw6MxJHLV7N7JDs="},
    {0, 132, "192.168.170.56", "192.168.170.8", 7, 7, "1:MP2EtRCAUIZvTw6MxJHLV7N7JDs="},
    {0, 6, "128.232.110.120", "66.35.250.204", 34855, 80, "1:LQU9qZlK+B5F3KDmev6m5PMibrg="},
    {0, 6, "66.35.250.204", "128.232.110.120", 80, 34855, "1:LQU9qZlK+B5F3KDmev6m5PMibrg="},
    {0, 17, "192.168.1.52", "8.8.8.8", 54585, 53, "1:d/FP5EW3wiY1vCndhwleRRKHowQ="},
    {0, 17, "8.8.8.8", "192.168.1.52", 53, 54585, "1:d/FP5EW3wiY1vCndhwleRRKHowQ="},
    {0, 46, "10.1.12.1", "10.1.12.2", 0, 0, "1:KHlLkgoJW7ifUTyTSgyVfkFHzKw="},
    {0, 46, "10.1.12.2", "10.1.12.1", 0, 0, "1:KHlLkgoJW7ifUTyTSgyVfkFHzKw="},
    {1, 58, "fe80::200:86ff:fe05:80da", "fe80::260:97ff:fe07:69ea", 135, 136, "1:kHa1FhMYIT6Ym2Vm2AOtoOARDzY="},
    {1, 58, "fe80::260:97ff:fe07:69ea", "fe80::200:86ff:fe05:80da", 136, 135, "1:kHa1FhMYIT6Ym2Vm2AOtoOARDzY="},
    {1, 58, "fe80::260:97ff:fe07:69ea", "fe80::200:86ff:fe05:80da", 135, 136, "1:2hSqmsDZ2kdcY9kbiUzOEBic0iM="},
    {1, 58, "fe80::200:86ff:fe05:80da", "fe80::260:97ff:fe07:69ea", 136, 135, "1:2hSqmsDZ2kdcY9kbiUzOEBic0iM="},
    {1, 58, "3ffe:501:1800:2345::2", "3ffe:507:0:1:200:86ff:fe05:80da", 3, 0, "1:lVEtCZpYu84Xqaa++3lXFyuu2n4="},
    {1, 58, "3ffe:501:410:0:2c0:dfff:fe47:33e", "3ffe:507:0:1:200:86ff:fe05:80da", 1, 4, "1:W8MHwXpWzpoSTD+cGcaJr4u0ys8="},
    {1, 58, "3ffe:507:0:1:200:86ff:fe05:80da", "3ffe:501:0:1001::2", 128, 129, "1:GfZxjAkDk2MkegpBYHV6tadtFXQ="},
    {1, 58, "3ffe:501:0:1001::2", "3ffe:507:0:1:200:86ff:fe05:80da", 129, 128, "1:GfZxjAkDk2MkegpBYHV6tadtFXQ="},
    {1, 58, "fe80::200:86ff:fe05:80da", "ff02::2", 133, 134, "1:L7Ka0ZMYu+J3bL4ulW2PrqyXNo8="},
    {1, 58, "fe80::260:97ff:fe07:69ea", "ff02::1", 134, 133, "1:K/ee5UCqAMAQXDorP5nSa2CGLjc="},
    {1, 1, "192.168.0.89", "192.168.0.1", 8, 0, "1:03g6IloqVBdcZlPyX8r0hgoE7kA="},
    {1, 1, "192.168.0.1", "192.168.0.89", 0, 8, "1:03g6IloqVBdcZlPyX8r0hgoE7kA="},
    {1, 1, "10.0.0.1", "10.0.0.2", 11, 0, "1:XjUibYHaafLQ3pxQeiMI8g25q20="},
    {1, 6, "2001:470:e5bf:dead:4957:2174:e82c:4887", "2607:f8b0:400c:c03::1a", 63943, 25, "1:eJYTW6AOzFLlSUoESovMjnu7rMw="},
    {1, 6, "2607:f8b0:400c:c03::1a", "2001:470:e5bf:dead:4957:2174:e82c:4887", 25, 63943, "1:eJYTW6AOzFLlSUoESovMjnu7rMw="},
    {1, 132, "192.168.170.8", "192.168.170.56", 7, 7, "1:5w3ZRjeKBzqT3zsaEECDGjUbYeg="},
    {1, 132, "192.168.170.56", "192.168.170.8", 7, 7, "1:5w3ZRjeKBzqT3zsaEECDGjUbYeg="},
    {1, 6, "128.232.110.120", "66.35.250.204", 34855, 80, "1:3V71V58M3Ksw/yuFALMcW0LAHvc="},
    {1, 6, "66.35.250.204", "128.232.110.120", 80, 34855, "1:3V71V58M3Ksw/yuFALMcW0LAHvc="},
    {1, 17, "192.168.1.52", "8.8.8.8", 54585, 53, "1:Q9We8WO3piVF8yEQBNJF4uiSVrI="},
    {1, 17, "8.8.8.8", "192.168.1.52", 53, 54585, "1:Q9We8WO3piVF8yEQBNJF4uiSVrI="},
    {1, 46, "10.1.12.1", "10.1.12.2", 0, 0, "1:rYir8gphR31noO9iDRQmF/BteEI="},
    {1, 46, "10.1.12.2", "10.1.12.1", 0, 0, "1:rYir8gphR31noO9iDRQmF/BteEI="},
};

FlowRecord record_of(const Vector& v) {
  FlowRecord r;
  r.src_ip = test::ip(v.src);
  r.dst_ip = test::ip(v.dst);
  r.ip_proto = v.proto;
  r.src_port = v.sport;
  r.dst_port = v.dport;
  return r;
}

TEST_CASE("community_id_v1 matches the spec's published vectors", "[flow][community_id]") {
  for (const Vector& v : kVectors) {
    INFO("seed " << v.seed << " proto " << int{v.proto} << " " << v.src << ":" << v.sport << " -> " << v.dst << ":"
                 << v.dport);
    CHECK(community_id_v1(record_of(v), v.seed) == v.expected);
  }
}

TEST_CASE("community_id_v1 ignores ports for protocols without them", "[flow][community_id]") {
  FlowRecord r = record_of(kVectors[21]);  // RSVP, seed 0
  REQUIRE(r.ip_proto == 46);
  r.src_port = 1234;
  r.dst_port = 5678;
  CHECK(community_id_v1(r) == "1:KHlLkgoJW7ifUTyTSgyVfkFHzKw=");
}

TEST_CASE("community_id_v1 returns empty for a record without addresses", "[flow][community_id]") {
  FlowRecord r;
  r.ip_proto = 6;
  CHECK(community_id_v1(r).empty());
  r.src_ip = test::ip("10.0.0.1");
  r.dst_ip = test::ip("2001:db8::1");
  CHECK(community_id_v1(r).empty());
}

}  // namespace
}  // namespace opensoc::flow
