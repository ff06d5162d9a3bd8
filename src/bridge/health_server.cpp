#include "health_server.hpp"

#include "roundtable/http/metrics.hpp"
#include "roundtable/http/server_options.hpp"

namespace rt::bridge {

HealthServer::HealthServer(std::string host, int port, Probes probes, Logger logger)
    : host_(std::move(host)), port_(port), probes_(std::move(probes)), logger_(std::move(logger)) {
  http::tune_server(server_, std::chrono::seconds(5));
  server_.new_task_queue = [] { return new httplib::ThreadPool(2); };
  server_.Get("/healthz", [](const httplib::Request&, httplib::Response& res) {
    res.set_content(R"({"status":"alive"})", "application/json");
  });
  server_.Get("/readyz", [this](const httplib::Request&, httplib::Response& res) {
    auto [ready, detail] = probes_.ready();
    res.status = ready ? 200 : 503;
    res.set_content(detail, "application/json");
  });
  server_.Get("/metrics", [this](const httplib::Request&, httplib::Response& res) {
    res.set_content(probes_.metrics(), http::MetricsRegistry::kContentType);
  });
}

HealthServer::~HealthServer() { stop(); }

bool HealthServer::start() {
  if (port_ == 0) {
    port_ = server_.bind_to_any_port(host_);
  } else if (!server_.bind_to_port(host_, port_)) {
    logger_.error("health.bind_failed", {{"host", host_}, {"port", port_}});
    return false;
  }
  thread_ = std::thread([this] { server_.listen_after_bind(); });
  logger_.info("health.listening", {{"host", host_}, {"port", port_}});
  return true;
}

void HealthServer::stop() {
  server_.stop();
  if (thread_.joinable()) thread_.join();
}

}  // namespace rt::bridge
