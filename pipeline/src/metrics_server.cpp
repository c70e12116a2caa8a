#include "metrics_server.h"

#include <httplib.h>

#include <cerrno>
#include <cstring>
#include <thread>

namespace perfgate::pipeline_detail {

struct MetricsServer::Impl {
  httplib::Server server;
  std::thread thread;
};

namespace {

struct HostPort {
  std::string host;
  int port = 0;
};

Result<HostPort> parse_address(const std::string& address) {
  const std::string fix = " (expected HOST:PORT, e.g. 127.0.0.1:9464 or [::1]:9464)";
  const size_t colon = address.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == address.size()) {
    return invalid_input("--metrics-listen: '" + address + "' is not an address" + fix);
  }
  HostPort out;
  out.host = address.substr(0, colon);
  if (out.host.front() == '[') {
    if (out.host.back() != ']') return invalid_input("--metrics-listen: '" + address + "': unclosed '['" + fix);
    out.host = out.host.substr(1, out.host.size() - 2);
  }
  const std::string port = address.substr(colon + 1);
  if (port.find_first_not_of("0123456789") != std::string::npos || port.size() > 5 || std::stoi(port) > 65535) {
    return invalid_input("--metrics-listen: '" + address + "': port must be 0..65535" + fix);
  }
  out.port = std::stoi(port);
  return out;
}

}  // namespace

Result<std::unique_ptr<MetricsServer>> MetricsServer::start(const std::string& address,
                                                            std::function<std::string()> render) {
  auto where = parse_address(address);
  if (!where) return where.error();
  std::unique_ptr<MetricsServer> out(new MetricsServer());
  out->impl_ = std::make_unique<Impl>();
  httplib::Server& server = out->impl_->server;
  auto scrapes = out->scrapes_;
  server.Get("/metrics", [render = std::move(render), scrapes](const httplib::Request&, httplib::Response& res) {
    res.set_content(render(), "text/plain; version=0.0.4; charset=utf-8");
    scrapes->fetch_add(1);
  });
  int port = where->port;
  errno = 0;
  if (port == 0) {
    port = server.bind_to_any_port(where->host);
  } else if (!server.bind_to_port(where->host, port)) {
    port = -1;
  }
  if (port <= 0) {
    const int err = errno;
    return unavailable("--metrics-listen " + address +
                       ": cannot listen: " + (err != 0 ? std::string(std::strerror(err)) : std::string("bind failed")) +
                       " (another process has the port? choose another, or 127.0.0.1:0 for a free one)");
  }
  const bool v6 = where->host.find(':') != std::string::npos;
  out->address_ = (v6 ? "[" + where->host + "]" : where->host) + ":" + std::to_string(port);
  out->impl_->thread = std::thread([&server] { server.listen_after_bind(); });
  return out;
}

MetricsServer::~MetricsServer() {
  if (!impl_) return;
  impl_->server.stop();
  if (impl_->thread.joinable()) impl_->thread.join();
}

}  // namespace perfgate::pipeline_detail
