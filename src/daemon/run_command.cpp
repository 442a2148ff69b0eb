// The daemon's composition root: builds every stage from the config, owns
// the threads, and shuts them down in order.
//
// Start-up order matters: the EAL and the ports first (the slowest and most
// likely to fail on a misconfigured box), then the HTTP listener (so a port
// clash is reported before capture begins), then the consumer and finally the
// capture workers. Shutdown goes the other way: workers stop and flush their
// flows, the consumer drains the rings, and the last counters are logged.
#include "daemon/run_command.hpp"

#include <atomic>
#include <chrono>
#include <filesystem>

#include "api/router.hpp"
#include "api/stats_render.hpp"
#include "audit/audit_log.hpp"
#include "auth/auth_service.hpp"
#include "capture/dpdk_runtime.hpp"
#include "config/config_loader.hpp"
#include "console/console_site.hpp"
#include "daemon/api_gate.hpp"
#include "daemon/detection_endpoints.hpp"
#include "daemon/field_catalog_endpoint.hpp"
#include "daemon/packet_store.hpp"
#include "daemon/pcap_endpoint.hpp"
#include "daemon/pcap_estimate_endpoint.hpp"
#include "daemon/search_endpoint.hpp"
#include "daemon/request_audit.hpp"
#include "daemon/running_config_endpoint.hpp"
#include "daemon/stats_history.hpp"
#include "daemon/telemetry_service.hpp"
#include "daemon/user_command.hpp"
#include "daemon/watchdog_feeder.hpp"
#include "http/http_server.hpp"
#include "pipeline/capture_worker.hpp"
#include "pipeline/flow_consumer.hpp"
#include "service/privilege_drop.hpp"
#include "service/systemd_notifier.hpp"

namespace opensoc::daemon {

int run_daemon(const config::AppConfig& config, const telemetry::Logger& log) {
  if (auto live = config::validate_for_live_capture(config); !live) {
    log.error("{}", live.error().message);
    return 2;
  }
  const TimestampNs started = wall_clock_ns();
  std::error_code ec;
  std::filesystem::create_directories(config.data_dir, ec);
  if (ec) {
    log.error("cannot create data directory {}: {}", config.data_dir, ec.message());
    return 1;
  }

  service::SystemdNotifier notifier;
  notifier.status("starting: opening capture ports");

  // The audit log and the users file first: with auth on, nothing may be
  // served before both are known to work.
  std::unique_ptr<audit::AuditLog> audit_log;
  if (config.audit.enabled) {
    auto a = audit::AuditLog::open(audit_log_path(config));
    if (!a) {
      log.error("audit: {}", a.error().message);
      return 1;
    }
    audit_log = std::move(*a);
  }
  const std::string users_path = users_file_path(config);
  auto auth_service = auth::AuthService::open(config.auth, users_path, [&audit_log](const AuditEntry& e) {
    if (audit_log) audit_log->record(e);
  });
  if (!auth_service) {
    log.error("auth: {}", auth_service.error().message);
    return 1;
  }
  auth::AuthService& auth = **auth_service;
  if (!config.auth.enabled) log.warn("auth.enabled is false: every API request is served as admin");

  auto runtime = capture::DpdkRuntime::start(config.capture, "opensocd");
  if (!runtime) {
    log.error("{}", runtime.error().message);
    return 1;
  }
  capture::DpdkRuntime& rt = **runtime;
  const std::size_t n_workers = rt.worker_count();

  // Before any worker exists: recovery and index reconciliation must see the
  // data directory as the last run left it.
  std::unique_ptr<PacketStore> store;
  if (config.store.enabled) {
    notifier.status("starting: recovering the packet store and its index");
    auto s = PacketStore::open(config, n_workers, log);
    if (!s) {
      log.error("{}", s.error().message);
      return 1;
    }
    store = std::move(*s);
  }

  std::vector<std::unique_ptr<SpscRing<FlowRecord>>> rings;
  std::vector<SpscRing<FlowRecord>*> ring_ptrs;
  std::vector<std::unique_ptr<pipeline::CaptureWorker>> workers;
  std::vector<std::vector<capture::PacketSource*>> sources(n_workers);
  for (std::size_t w = 0; w < n_workers; ++w) {
    rings.push_back(std::make_unique<SpscRing<FlowRecord>>(config.pipeline.flow_ring_size));
    ring_ptrs.push_back(rings.back().get());
    workers.push_back(std::make_unique<pipeline::CaptureWorker>(static_cast<std::uint16_t>(w),
                                                                config.capture.worker_lcores[w], config.flow,
                                                                *rings.back(), pipeline::RingFullPolicy::drop));
    sources[w] = rt.sources_for_worker(w);
    if (store) workers.back()->attach_store(store->writer(w));
  }
  auto consumer = pipeline::FlowConsumer::create(ring_ptrs, config.pipeline);
  if (!consumer) {
    log.error("{}", consumer.error().message);
    return 1;
  }

  // Syslog / JSON-lines / NetFlow receivers and the log pipeline: up before
  // capture, so a listener's port clash stops the start.
  std::unique_ptr<TelemetryService> intake;
  {
    auto t = TelemetryService::start(config, store ? store->detection() : nullptr, log);
    if (!t) {
      log.error("{}", t.error().message);
      return 1;
    }
    intake = std::move(*t);
  }

  auto snapshot = [&]() {
    StatsSnapshot s;
    s.version = OPENSOC_VERSION;
    s.started = started;
    s.now = wall_clock_ns();
    for (const auto& p : rt.port_stats()) {
      PortSnapshot ps;
      ps.device = p.device;
      ps.index = static_cast<std::uint16_t>(s.ports.size());
      ps.rx_queues = p.rx_queues;
      ps.packets = p.ipackets;
      ps.bytes = p.ibytes;
      ps.nic_dropped = p.imissed;
      ps.nic_errors = p.ierrors;
      ps.mbuf_failures = p.rx_nombuf;
      s.ports.push_back(std::move(ps));
    }
    for (std::size_t w = 0; w < n_workers; ++w) {
      s.workers.push_back(workers[w]->snapshot());
      for (capture::PacketSource* src : sources[w]) {
        const auto st = src->stats();
        QueueSnapshot q;
        q.name = src->name();
        q.worker = static_cast<std::uint16_t>(w);
        // Names are "device:queue"; map back to the port's config index.
        const auto colon = q.name.rfind(':');
        const std::string device = q.name.substr(0, colon);
        for (std::size_t i = 0; i < config.capture.ports.size(); ++i)
          if (config.capture.ports[i].device == device) q.port = static_cast<std::uint16_t>(i);
        if (colon != std::string::npos) q.queue = static_cast<std::uint16_t>(std::atoi(q.name.c_str() + colon + 1));
        q.packets = st.packets;
        q.bytes = st.bytes;
        s.queues.push_back(std::move(q));
      }
    }
    s.consumer = (*consumer)->snapshot();
    if (store) {
      s.store = store->snapshot();
      s.sessions = store->session_snapshot();
      s.detection = store->detection_snapshot();
    }
    if (intake) s.telemetry = intake->snapshot();
    return s;
  };

  // The console's charts: sampled from the same snapshot as /api/v1/stats;
  // the sampler starts with capture and stops right after the signal.
  StatsHistory history(snapshot, std::chrono::seconds(config.console.history_interval_s),
                       config.console.history_samples);

  api::ApiServices services;
  services.stats = snapshot;
  services.fields = serve_field_catalog;
  if (config.console.enabled) services.console = console::serve_console;
  services.stats_history = [&history](const api::Request& r) { return history.serve(r); };
  services.running_config = make_running_config_endpoint(config);
  if (store) {
    services.pcap = [&store](const api::Request& r) {
      return serve_pcap_request(r, store->index(), store->slice_options());
    };
    services.pcap_estimate = [&store](const api::Request& r) {
      return serve_pcap_estimate(r, store->index(), store->slice_options());
    };
    if (config.sessions.enabled && config.search.enabled) {
      raise_open_file_limit();
      const std::string search_dir = config.data_dir + "/" + config.search.subdir;
      services.sessions = [search_dir](const api::Request& r) {
        return serve_search_request(r, SearchKind::sessions, search_dir);
      };
      services.events = [search_dir](const api::Request& r) {
        return serve_search_request(r, SearchKind::events, search_dir);
      };
    }
  }
  // Reload (SIGHUP, POST /api/v1/reload): the config file is read again so
  // changed paths and thresholds apply; a config that no longer loads keeps
  // the running set-up.
  std::function<detect::LoadReport()> reload = [&config, &log, &store]() {
    detect::LoadReport rep;
    detect::DetectionStage* stage = store ? store->detection() : nullptr;
    if (stage == nullptr) {
      rep.ok = false;
      rep.errors.push_back("detection disabled");
      return rep;
    }
    if (config.source_path.empty()) return stage->reload();
    auto fresh = config::load_config(config.source_path);
    if (!fresh) {
      log.error("reload: {} (running set-up kept)", fresh.error().message);
      rep.ok = false;
      rep.errors.push_back("config: " + fresh.error().message);
      return rep;
    }
    return stage->reload(&fresh->detection);
  };
  if (store && store->detection() != nullptr) {
    const std::string search_dir =
        config.search.enabled ? config.data_dir + "/" + config.search.subdir : std::string();
    DetectionEndpoints d = make_detection_endpoints(*store->detection(), search_dir, reload);
    services.alerts = std::move(d.alerts);
    services.intel = std::move(d.intel);
    services.rules = std::move(d.rules);
    services.reload = std::move(d.reload);
  }
  if (intake) {
    if (config.search.enabled) {
      raise_open_file_limit();
      const std::string search_dir = config.data_dir + "/" + config.search.subdir;
      services.logs = [search_dir](const api::Request& r) { return serve_search_request(r, SearchKind::logs, search_dir); };
    }
    if (intake->api_ingest()) {
      services.ingest = [&intake](const api::Request& r) { return intake->serve_ingest(r); };
    }
  }
  api::Router router(std::move(services));
  ApiGate gate(auth, router, audit_log.get());
  auto server = http::HttpServer::start(config.http, [&gate](const api::Request& r) { return gate.handle(r); });
  if (!server) {
    log.error("http: {}", server.error().message);
    return 1;
  }

  // SIGHUP (systemctl reload): rules, intel, enrichment, the TLS certificate
  // and the users file; capture goes on throughout.
  (*server)->on_hangup([&]() {
    notifier.reloading();
    log.info("SIGHUP: reloading rules, intel, enrichment, TLS certificate and users");
    AuditEntry e;
    e.time = wall_clock_ns();
    e.source = "signal";
    e.action = "config.reload";
    const detect::LoadReport rep = reload();
    e.outcome = rep.ok ? "ok" : "error";
    e.details.push_back({"detection", rep.ok ? "ok" : "failed", false});
    if (config.http.tls.enabled) {
      if (auto t = (*server)->reload_tls(); !t) {
        log.error("TLS reload: {} (old certificate kept)", t.error().message);
        e.outcome = "error";
        e.details.push_back({"tls", t.error().message, false});
      } else {
        log.info("TLS certificate reloaded from {}", config.http.tls.cert_file);
        e.details.push_back({"tls", "reloaded", false});
      }
    }
    if (auto u = auth.reload_users(); !u) {
      log.error("users file: {} (previous users kept)", u.error().message);
      e.outcome = "error";
      e.details.push_back({"users", u.error().message, false});
    }
    if (audit_log) audit_log->record(e);
    notifier.ready("capturing; reloaded");
  });

  // Everything that needs root is open now (EAL and ports, stores, the API
  // and receiver sockets): become the unprivileged user before any packet
  // is read.
  {
    std::vector<std::string> owned = {config.data_dir};
    if (!users_path.empty() && users_path.rfind(config.data_dir + "/", 0) != 0) owned.push_back(users_path);
    // The audit log's directory, not just the file: after logrotate moves
    // the file, the unprivileged daemon must be able to create a new one.
    // Only a directory of our own (/var/log/opensoc) is handed over whole,
    // never a shared one like /var/log.
    if (audit_log && audit_log->path().rfind(config.data_dir + "/", 0) != 0) {
      const std::filesystem::path dir = std::filesystem::path(audit_log->path()).parent_path();
      owned.push_back(dir.filename().string().rfind("opensoc", 0) == 0 ? dir.string() : audit_log->path());
    }
    auto dropped = service::drop_privileges(config.privileges, owned);
    if (!dropped) {
      log.error("privileges: {}", dropped.error().message);
      return 1;
    }
    log.info("privileges: {}", dropped->summary);
  }
  (*consumer)->start();
  if (store) store->start_indexer();
  std::atomic<bool> stop{false};
  auto launched = rt.launch_workers([&](std::size_t w) { workers[w]->run(sources[w], stop); });
  if (!launched) {
    log.error("{}", launched.error().message);
    (*consumer)->stop();
    return 1;
  }
  history.start();
  log.info("capturing on {} port(s) with {} worker(s); API on {}://{}:{}/", config.capture.ports.size(), n_workers,
           config.http.tls.enabled ? "https" : "http", config.http.listen_address, (*server)->port());
  notifier.ready("capturing on " + std::to_string(config.capture.ports.size()) + " port(s)");
  WatchdogFeeder watchdog(notifier, [&workers]() {
    std::vector<unsigned long long> progress;
    for (const auto& w : workers) {
      const WorkerSnapshot ws = w->snapshot();
      progress.push_back(ws.bursts + ws.idle_polls);
    }
    return progress;
  });

  const int sig = (*server)->serve_until_signal();
  notifier.stopping();
  history.stop();
  log.info("signal {} received, stopping capture", sig);
  stop.store(true, std::memory_order_relaxed);
  rt.wait_workers();
  (*consumer)->stop();
  // Receivers stop first; the log pipeline drains and commits what they queued.
  if (intake) intake->stop();
  if (store) {
    if (auto r = store->finish(); !r) log.error("packet store: {}", r.error().message);
  }

  const StatsSnapshot last = snapshot();
  const api::StatsTotals t = api::compute_totals(last);
  std::uint64_t stored = 0, store_drops = 0;
  for (const auto& w : last.workers) {
    stored += w.store_packets;
    store_drops += w.store_drops;
  }
  log.info("final counters: packets={} bytes={} nic_dropped={} nic_errors={} mbuf_failures={} decode_errors={} "
           "flows={} flow_records={} ring_drops={} stored={} store_drops={} segments={} indexed_packets={}",
           t.packets, t.bytes, t.nic_dropped, t.nic_errors, t.mbuf_failures, t.decode_errors, t.flows_created,
           last.consumer.records, t.ring_drops, stored, store_drops, last.store.segments, last.store.indexed_packets);
  return 0;
}

}  // namespace opensoc::daemon
