// The gateway's A2A front-end: the service gets the gateway's own agent loop, work slots and
// token, so A2A tasks are limited and counted exactly like /webhook ones.
#include "roundtable/gateway/a2a/service.hpp"
#include "roundtable/gateway/gateway.hpp"
#include "roundtable/http/server.hpp"
#include "roundtable/http/server_options.hpp"

namespace rt::gateway {

void Gateway::a2a_routes() {
  a2a::ServiceDeps deps;
  deps.workspace = &workspace_;
  deps.public_url = config_.public_url;
  deps.listen_url = [this] {
    http::HostPort hp;
    http::parse_listen_address(config_.listen, hp);
    std::string host = hp.host == "0.0.0.0" || hp.host == "::" || hp.host.empty() ? "127.0.0.1" : hp.host;
    return "http://" + host + ":" + std::to_string(port_);
  };
  deps.token = config_.token;
  deps.version = RT_VERSION;
  deps.max_concurrency = config_.max_concurrency;
  deps.enter = [this] { return slots_->enter(); };
  deps.run = [this](Conversation conversation) {
    auto started = std::chrono::steady_clock::now();
    auto answer = agent_->run(std::move(conversation));
    record(answer, started);
    return answer;
  };
  deps.stopping = [this] { return server_->stopping(); };
  deps.logger = logger_.with({{"component", "a2a"}});
  a2a_ = std::make_unique<a2a::Service>(std::move(deps));
  a2a::register_a2a_routes(*server_, *a2a_);
}

}  // namespace rt::gateway
