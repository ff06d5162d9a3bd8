#pragma once
// The dashboard's HTTP face, read-only (GET only): the page and its assets (embedded in the
// binary), /api/state (a snapshot), /api/events (server-sent events: a snapshot, then deltas)
// and /api/trace/<task-id> (a task's events and child tasks, for the waterfall).
#include <string>

#include <nlohmann/json.hpp>

#include "roundtable/cli/dashboard/fleet_state.hpp"
#include "roundtable/cli/dashboard/sse_hub.hpp"
#include "roundtable/http/server.hpp"

namespace rt::cli::dashboard {

struct Access {
  // When set, every request needs it: "Authorization: Bearer <token>", or the cookie that
  // GET /?token=<token> sets. When empty, only requests whose Host is a loopback name are
  // served (a web page elsewhere must not reach a loopback dashboard by DNS rebinding).
  std::string token;
};

void install_routes(http::Server& server, FleetState& state, SseHub& hub, const Access& access);

bool is_loopback_host(const std::string& host);
// JSON for the wire: invalid UTF-8 from the bus is replaced, never thrown on.
std::string to_text(const nlohmann::json& doc);

}  // namespace rt::cli::dashboard
