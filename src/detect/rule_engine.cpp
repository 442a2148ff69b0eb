// RuleEngine: signature matching for the detection stage. Packets (from the
// capture workers' decoded stream) and ProtocolEvents (from the session
// stage) flow in; RuleMatch values flow out to the alert builder. The engine
// is built on the control plane and immutable; match_* run on whichever
// detection thread owns the RuleScratch passed in.
//
// Two stages, as in Suricata's MPM + inspection split: the Hyperscan literal
// prefilter turns a buffer into a (usually tiny) candidate set, then the
// verifier checks each candidate's header, flow and steps exactly. Rules
// without a literal are always candidates. Candidates are verified in load
// order so the output order is deterministic.
#include "detect/rule_engine.hpp"

#include <chrono>
#include <utility>

#include <hs/hs.h>

namespace opensoc::detect {
namespace {

constexpr std::uint16_t bit(RuleBuffer b) noexcept { return static_cast<std::uint16_t>(1u << static_cast<unsigned>(b)); }

std::span<const std::uint8_t> bytes_of(const std::string& s) noexcept {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

// The single-instance sticky buffers an event provides (dns.query, which can
// have several instances, is handled apart). An empty field is an absent
// buffer, as Suricata has no buffer for a header that was not sent.
struct EventBuffers {
  std::span<const std::uint8_t> buf[static_cast<std::size_t>(RuleBuffer::count_)];
  std::uint16_t present = 0;
  const DnsEvent* dns = nullptr;  // set when dns.query instances exist

  void set(RuleBuffer b, std::span<const std::uint8_t> s) noexcept {
    if (s.empty()) return;
    buf[static_cast<std::size_t>(b)] = s;
    present |= bit(b);
  }
};

EventBuffers collect(const ProtocolEvent& ev, std::string& host_lower) noexcept {
  EventBuffers eb;
  if (const auto* d = std::get_if<DnsEvent>(&ev.body)) {
    // Suricata 7 inspects dns.query on requests only.
    if (!d->response) {
      for (const auto& q : d->queries) {
        if (!q.name.empty()) {
          eb.dns = d;
          eb.present |= bit(RuleBuffer::dns_query);
          break;
        }
      }
    }
  } else if (const auto* h = std::get_if<HttpEvent>(&ev.body)) {
    eb.set(RuleBuffer::http_uri, bytes_of(h->uri));
    eb.set(RuleBuffer::http_method, bytes_of(h->method));
    eb.set(RuleBuffer::http_user_agent, bytes_of(h->user_agent));
    // The session stage keeps the Host as sent; rules are written against
    // Suricata's lower-cased normalisation.
    host_lower.assign(h->host);
    for (char& c : host_lower) {
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
    }
    eb.set(RuleBuffer::http_host, bytes_of(host_lower));
  } else if (const auto* t = std::get_if<TlsEvent>(&ev.body)) {
    eb.set(RuleBuffer::tls_sni, bytes_of(t->sni));
    eb.set(RuleBuffer::ja3_hash, bytes_of(t->ja3));
  }
  return eb;
}

}  // namespace

RuleScratch::RuleScratch(std::size_t rule_count, std::unique_ptr<VerifierScratch> verifier)
    : candidates_(rule_count), verifier_(std::move(verifier)) {
  host_lower_.reserve(512);
}

RuleScratch::~RuleScratch() { hs_free_scratch(hs_); }

Result<std::shared_ptr<const RuleEngine>> RuleEngine::compile(std::vector<Rule> rules) {
  const auto t0 = std::chrono::steady_clock::now();
  std::shared_ptr<RuleEngine> e(new RuleEngine());
  e->rules_ = std::move(rules);
  e->buffers_used_.reserve(e->rules_.size());
  for (const Rule& r : e->rules_) {
    std::uint16_t used = 0;
    for (const MatchStep& s : r.steps) used |= bit(s.buffer);
    e->buffers_used_.push_back(used);
    if (r.is_event_rule()) {
      ++e->stats_.event_rules;
    } else {
      ++e->stats_.packet_rules;
    }
  }
  auto pf = RulePrefilter::build(e->rules_);
  if (!pf) return pf.error().context("rule engine");
  e->prefilter_ = std::move(*pf);
  auto vf = RuleVerifier::build(e->rules_);
  if (!vf) return vf.error().context("rule engine");
  e->verifier_ = std::move(*vf);

  e->stats_.rules = e->rules_.size();
  e->stats_.prefilter_patterns = e->prefilter_->pattern_count();
  e->stats_.always_checked = e->prefilter_->always_packet().size() + e->prefilter_->always_event().size();
  e->stats_.compile_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  return std::shared_ptr<const RuleEngine>(std::move(e));
}

std::unique_ptr<RuleScratch> RuleEngine::make_scratch() const {
  std::unique_ptr<RuleScratch> s(new RuleScratch(rules_.size(), verifier_->make_scratch()));
  if (!prefilter_->alloc_scratch(&s->hs_)) return nullptr;
  return s;
}

void RuleEngine::report(std::uint32_t id, const HeaderView& h, TimestampNs ts, RuleScratch& scratch,
                        std::vector<RuleMatch>& out) const noexcept {
  const Rule& rule = rules_[id];
  if (rule.threshold) {
    const ThresholdSpec& t = *rule.threshold;
    const IpAddress& tracked = t.track == ThresholdSpec::Track::by_src ? *h.src_ip : *h.dst_ip;
    if (!scratch.thresholds_.allow(rule.sid, t, tracked, ts)) return;
  }
  out.push_back(RuleMatch{&rule, ts, *h.src_ip, *h.dst_ip, h.src_port, h.dst_port});
}

void RuleEngine::match_packet(const PacketMatchInput& in, RuleScratch& scratch,
                              std::vector<RuleMatch>& out) const noexcept {
  CandidateSet& cands = scratch.candidates_;
  cands.clear();
  prefilter_->scan(RuleBuffer::packet, in.payload, scratch.hs_, cands);
  for (std::uint32_t id : prefilter_->always_packet()) cands.insert(id);
  cands.sort();

  const HeaderView h{&in.src_ip, &in.dst_ip, in.src_port, in.dst_port, in.ip_proto, in.app, in.to_server,
                     in.established};
  for (std::uint32_t id : cands.ids()) {
    const Rule& rule = rules_[id];
    if (!RuleVerifier::header_matches(rule, h)) continue;
    if (!rule.steps.empty()) {
      // As in Suricata, payload keywords never match a packet without payload,
      // not even a lone negated content.
      if (in.payload.empty() || !verifier_->steps_match(rule, id, RuleBuffer::packet, in.payload, *scratch.verifier_)) {
        continue;
      }
    }
    report(id, h, in.ts, scratch, out);
  }
  cands.clear();
}

void RuleEngine::match_event(const ProtocolEvent& ev, RuleScratch& scratch,
                             std::vector<RuleMatch>& out) const noexcept {
  const EventBuffers eb = collect(ev, scratch.host_lower_);
  if (eb.present == 0) return;  // every event rule reads at least one buffer

  CandidateSet& cands = scratch.candidates_;
  cands.clear();
  for (std::size_t b = 1; b < static_cast<std::size_t>(RuleBuffer::count_); ++b) {
    if ((eb.present & bit(static_cast<RuleBuffer>(b))) == 0) continue;
    if (b == static_cast<std::size_t>(RuleBuffer::dns_query)) {
      for (const auto& q : eb.dns->queries) prefilter_->scan(RuleBuffer::dns_query, bytes_of(q.name), scratch.hs_, cands);
    } else {
      prefilter_->scan(static_cast<RuleBuffer>(b), eb.buf[b], scratch.hs_, cands);
    }
  }
  for (std::uint32_t id : prefilter_->always_event()) cands.insert(id);
  cands.sort();

  const Endpoints& ep = ev.endpoints;
  const bool fwd = ev.to_server;
  const bool established = ep.ip_proto == 6 || !ev.to_server;
  const HeaderView h{fwd ? &ep.src_ip : &ep.dst_ip, fwd ? &ep.dst_ip : &ep.src_ip,
                     fwd ? ep.src_port : ep.dst_port, fwd ? ep.dst_port : ep.src_port,
                     ep.ip_proto, event_protocol(ev.body), ev.to_server, established};
  VerifierScratch& vs = *scratch.verifier_;
  for (std::uint32_t id : cands.ids()) {
    const Rule& rule = rules_[id];
    const std::uint16_t used = buffers_used_[id];
    if ((used & ~eb.present) != 0) continue;  // a buffer this event does not have
    if (!RuleVerifier::header_matches(rule, h)) continue;
    bool all = true;
    for (std::size_t b = 1; b < static_cast<std::size_t>(RuleBuffer::count_) && all; ++b) {
      const auto buffer = static_cast<RuleBuffer>(b);
      if ((used & bit(buffer)) == 0) continue;
      if (buffer == RuleBuffer::dns_query) {
        // Each query name is its own buffer instance; one must satisfy all
        // of the rule's dns.query steps.
        bool any = false;
        for (const auto& q : eb.dns->queries) {
          if (!q.name.empty() && verifier_->steps_match(rule, id, buffer, bytes_of(q.name), vs)) {
            any = true;
            break;
          }
        }
        all = any;
      } else {
        all = verifier_->steps_match(rule, id, buffer, eb.buf[b], vs);
      }
    }
    if (all) report(id, h, ev.ts, scratch, out);
  }
  cands.clear();
}

}  // namespace opensoc::detect
