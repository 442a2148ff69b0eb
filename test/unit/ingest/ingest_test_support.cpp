#include "ingest_test_support.hpp"

#include <fstream>
#include <stdexcept>
#include <thread>

namespace opensoc::ingest::test {

ListenerConfig make_listener(const std::string& name, ListenerProtocol protocol, ListenerTransport transport) {
  ListenerConfig c;
  c.name = name;
  c.protocol = protocol;
  c.transport = transport;
  c.address = "127.0.0.1";
  c.port = 0;
  return c;
}

std::vector<ReceivedMessage> drain(MessageQueue& queue, std::size_t n, std::chrono::milliseconds timeout) {
  std::vector<ReceivedMessage> out;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (out.size() < n && std::chrono::steady_clock::now() < deadline) {
    queue.pop(out, n - out.size(), 20);
  }
  return out;
}

bool wait_until(const std::function<bool()>& done, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!done()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return true;
}

ListenerStats stats_of(const TelemetryReceivers& receivers, std::size_t i) { return receivers.stats().at(i); }

std::optional<std::string> run_python(const TempDir& dir, const std::string& name, const std::string& source,
                                      const std::string& args) {
  const std::string path = dir.file(name + ".py");
  {
    std::ofstream f(path);
    f << source;
  }
  return run_command("python3 " + shell_quote(path) + " " + args);
}

TestCertificate make_self_signed_certificate(const TempDir& dir, const std::string& stem) {
  TestCertificate c{dir.file(stem + ".crt"), dir.file(stem + ".key")};
  const auto r = run_command("openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=localhost -keyout " +
                             shell_quote(c.key) + " -out " + shell_quote(c.certificate) + " 2>/dev/null");
  if (!r) throw std::runtime_error("openssl req failed");
  return c;
}

}  // namespace opensoc::ingest::test
