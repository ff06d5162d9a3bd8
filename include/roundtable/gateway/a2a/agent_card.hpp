#pragma once
// The A2A agent card (protocol 1.0) a gateway serves at /.well-known/agent-card.json: who the
// agent is (knight.yaml, SOUL.md), what it can do (capabilities), where and how to call it.
#include <string>

#include <nlohmann/json.hpp>

#include "roundtable/gateway/workspace.hpp"

namespace rt::gateway::a2a {

inline constexpr const char* kProtocolVersion = "1.0";
inline constexpr const char* kCardPath = "/.well-known/agent-card.json";
inline constexpr const char* kRpcPath = "/a2a";

struct CardContext {
  std::string base_url;       // e.g. http://127.0.0.1:18789, no trailing slash
  bool bearer_required = false;  // GATEWAY_TOKEN is set
  std::string version;        // the gateway's version
};

// knight.yaml `description:` (SOUL.md front matter wins, see load_workspace), else SOUL.md's
// first heading, else a line made from the name and role.
std::string card_description(const Workspace& workspace);

// One skill per capability (`<domain>.<action>`); a domain without capabilities is one skill.
nlohmann::json card_skills(const Workspace& workspace);

nlohmann::json agent_card(const Workspace& workspace, const CardContext& context);

// The base URL a client used to reach us, from the Host header, when it is a plain host[:port];
// empty otherwise (the caller then falls back to the listen address).
std::string base_url_from_host(const std::string& host_header);

}  // namespace rt::gateway::a2a
