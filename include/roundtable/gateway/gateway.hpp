#pragma once
// knight-gateway: assembles the workspace, providers, tools and limits, and serves HTTP.
#include <atomic>
#include <memory>
#include <mutex>

#include "roundtable/common/log.hpp"
#include "roundtable/gateway/agent.hpp"
#include "roundtable/gateway/cancellations.hpp"
#include "roundtable/gateway/config.hpp"
#include "roundtable/gateway/rate_limiter.hpp"
#include "roundtable/gateway/tools.hpp"
#include "roundtable/gateway/work_slots.hpp"
#include "roundtable/http/metrics.hpp"
#include "roundtable/llm/providers.hpp"
#include "roundtable/nats/connection.hpp"
#include "roundtable/nats/jetstream.hpp"
#include "roundtable/nats/task_client.hpp"
#include "roundtable/redis/client.hpp"
#include "roundtable/trace/exporter.hpp"

namespace httplib {
struct Request;
struct Response;
}  // namespace httplib

namespace rt::http {
class Server;
}  // namespace rt::http

namespace rt::mcp {
class Toolbox;
}  // namespace rt::mcp

namespace rt::gateway {

class PeerRequests;
class CheckpointStore;
namespace a2a {
class Service;
}  // namespace a2a

class Gateway {
 public:
  Gateway(GatewayConfig config, Workspace workspace, Logger logger);
  ~Gateway();
  // Lead role: connects to NATS and adds the delegate tool; answers peer requests and messages.
  // False (logged) when NATS cannot be used.
  bool start_lead();
  // Ends the lead role: no new peer requests, running ones finished, NATS drained.
  void stop_lead();
  // Binds GATEWAY_LISTEN (and GATEWAY_METRICS_LISTEN when set); false (logged) when it cannot.
  bool bind();
  // Serves until stop(), then lets running requests finish within GATEWAY_SHUTDOWN_GRACE.
  // False when some were still running then: the caller should exit at once.
  bool serve();
  // Any thread, any time (also before serve()): idle connections close at once.
  void stop();
  int port() const { return port_; }
  // For tools added from outside (the lead's delegate).
  ToolRegistry& tools() { return tools_; }
  const Workspace& workspace() const { return workspace_; }

 private:
  void routes();
  void metrics_routes();
  void a2a_routes();  // a2a/routes.cpp
  std::string render_metrics();
  bool authorized(const httplib::Request& req, httplib::Response& res) const;
  void handle_webhook(const httplib::Request& req, httplib::Response& res);
  // chat_completions.cpp, models_route.cpp
  void handle_chat(const httplib::Request& req, httplib::Response& res);
  void handle_models(const httplib::Request& req, httplib::Response& res);
  void record(const AgentAnswer& answer, std::chrono::steady_clock::time_point started);
  WorkSlots::Slot enter_or_refuse(httplib::Response& res, bool openai_shape);
  void answer_peer(const nats::Message& msg);
  void store_peer_message(const nats::Message& msg);
  nlohmann::json peer_reply(const std::string& status, const std::string& content) const;

  GatewayConfig config_;
  Workspace workspace_;
  Logger logger_;
  http::MetricsRegistry metrics_;
  Cancellations cancellations_;  // POST /tasks/<id>/cancel
  std::unique_ptr<trace::Exporter> exporter_;  // spans (docs/observability.md)
  std::unique_ptr<redis::Client> redis_;
  std::unique_ptr<llm::Provider> provider_;
  std::unique_ptr<RateLimiter> limiter_;
  std::unique_ptr<CheckpointStore> checkpoints_;  // with Redis only
  ToolRegistry tools_;
  std::unique_ptr<mcp::Toolbox> mcp_;  // after tools_: its servers stop before the registry goes
  std::unique_ptr<Agent> agent_;
  std::unique_ptr<nats::Connection> nats_;
  std::unique_ptr<nats::JetStream> js_;
  std::unique_ptr<nats::TaskClient> task_client_;
  std::vector<nats::Subscription> peer_subscriptions_;
  std::shared_ptr<PeerRequests> peer_requests_;
  std::unique_ptr<http::Server> server_;
  std::unique_ptr<http::Server> metrics_server_;  // GATEWAY_METRICS_LISTEN
  std::unique_ptr<WorkSlots> slots_;
  std::unique_ptr<a2a::Service> a2a_;  // after slots_: goes first, with its background tasks
  int port_ = 0;
  int64_t started_unix_ = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
};

}  // namespace rt::gateway
