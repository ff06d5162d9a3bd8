#pragma once
// A2A 1.0 over JSON-RPC (POST /a2a) and the agent card (GET /.well-known/agent-card.json): a
// third front-end, beside /webhook and /v1/chat/completions, onto the same agent loop, under
// the same work slots, rate limit, budgets and token. docs/a2a.md.
#include <atomic>
#include <functional>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include <nlohmann/json.hpp>

#include "roundtable/common/log.hpp"
#include "roundtable/gateway/a2a/agent_card.hpp"
#include "roundtable/gateway/a2a/requests.hpp"
#include "roundtable/gateway/a2a/task_store.hpp"
#include "roundtable/gateway/agent.hpp"
#include "roundtable/gateway/work_slots.hpp"
#include "roundtable/jsonrpc/message.hpp"

namespace httplib {
struct Request;
struct Response;
}  // namespace httplib

namespace rt::http {
class Server;
}  // namespace rt::http

namespace rt::gateway::a2a {

struct ServiceDeps {
  const Workspace* workspace = nullptr;
  std::string public_url;                    // GATEWAY_PUBLIC_URL; empty: from Host, else listen_url()
  std::function<std::string()> listen_url;  // http://<GATEWAY_LISTEN host>:<bound port>
  std::string token;                         // GATEWAY_TOKEN; empty: no auth
  std::string version;
  int max_concurrency = 8;
  std::function<WorkSlots::Slot()> enter;               // a work slot, or null when full
  std::function<AgentAnswer(Conversation)> run;         // the agent loop, counted in metrics
  std::function<bool()> stopping;                       // the server is shutting down
  Logger logger;
  StoreLimits limits;
};

class Service {
 public:
  explicit Service(ServiceDeps deps);
  // Cancels unfinished tasks (the agent stops before its next model call) and waits for the
  // background runs of non-blocking sends.
  ~Service();
  Service(const Service&) = delete;
  Service& operator=(const Service&) = delete;

  void serve_card(const httplib::Request& req, httplib::Response& res) const;
  void serve_rpc(const httplib::Request& req, httplib::Response& res);
  TaskStore& store() { return store_; }

 private:
  using Reply = std::function<void(int status, const nlohmann::json& body)>;
  bool authorized(const httplib::Request& req, httplib::Response& res) const;
  void dispatch(const jsonrpc::Message& call, const httplib::Request& req, httplib::Response& res);
  void send_message(const jsonrpc::Message& call, const httplib::Request& req, httplib::Response& res);
  void stream_message(const jsonrpc::Message& call, const httplib::Request& req, httplib::Response& res);
  void subscribe(const jsonrpc::Message& call, httplib::Response& res);
  void get_task(const jsonrpc::Message& call, httplib::Response& res);
  void cancel_task(const jsonrpc::Message& call, httplib::Response& res);

  // Checks the request against the store (a named task must not exist or be finished) and
  // creates the task; the error to answer otherwise.
  Checked<std::string> open_task(const SendRequest& request);
  Conversation conversation_for(const std::string& task_id, const SendRequest& request, const httplib::Request& req);
  // Runs the task on this thread in `slot`, recording the outcome in the store; `changed` is
  // called after each change the agent makes (a stream writes the store's events then).
  void execute(const std::string& task_id, Conversation conversation, WorkSlots::Slot slot,
               const std::function<void()>& changed = {});
  void run_in_background(const std::string& task_id, Conversation conversation);
  void reap_background();
  std::string busy_message() const;

  ServiceDeps deps_;
  TaskStore store_;
  std::mutex background_mutex_;
  struct Background {
    std::thread thread;
    std::shared_ptr<std::atomic<bool>> done;
  };
  std::list<Background> background_;
  std::atomic<int> subscribers_{0};
};

// GET /.well-known/agent-card.json (public) and POST /a2a (token when set) on `server`.
void register_a2a_routes(http::Server& server, Service& service);

}  // namespace rt::gateway::a2a
