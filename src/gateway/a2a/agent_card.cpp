#include "roundtable/gateway/a2a/agent_card.hpp"

#include <algorithm>
#include <cctype>

#include "roundtable/common/strings.hpp"

namespace rt::gateway::a2a {

using nlohmann::json;

namespace {

std::string first_heading(const std::string& soul) {
  for (const auto& line : split(soul, '\n')) {
    std::string text = trim(line);
    if (text.rfind("# ", 0) == 0) return trim(text.substr(2));
  }
  return "";
}

const Skill* skill_named(const Workspace& workspace, const std::string& name) {
  for (const auto& skill : workspace.skills)
    if (skill.name == name) return &skill;
  return nullptr;
}

json skill_entry(const std::string& id, const std::string& domain, const std::string& action, std::string description) {
  json tags = json::array({domain});
  if (!action.empty()) tags.push_back(action);
  std::string name = action.empty() ? domain : domain + " " + action;
  std::replace(name.begin(), name.end(), '-', ' ');
  return {{"id", id}, {"name", name}, {"description", std::move(description)}, {"tags", std::move(tags)},
          {"inputModes", json::array({"text/plain", "application/json"})}, {"outputModes", json::array({"text/markdown"})}};
}

}  // namespace

std::string card_description(const Workspace& workspace) {
  const auto& knight = workspace.knight;
  if (!trim(knight.description).empty()) return trim(knight.description);
  if (auto heading = first_heading(workspace.soul); !heading.empty()) return heading;
  return knight.name + ", a Round Table " + knight.role + " of fleet " + knight.fleet;
}

json card_skills(const Workspace& workspace) {
  const auto& knight = workspace.knight;
  json skills = json::array();
  std::vector<std::string> covered;
  for (const auto& capability : knight.capabilities) {
    auto dot = capability.find('.');
    std::string domain = capability.substr(0, dot);
    std::string action = dot == std::string::npos ? "" : capability.substr(dot + 1);
    std::string description;
    if (const Skill* skill = skill_named(workspace, action); skill && !skill->description.empty()) description = skill->description;
    else if (knight.role == "lead") description = "Asks the fleet's knights in parallel and answers with one synthesis (" + capability + ")";
    else description = "The " + domain + " knight's " + (action.empty() ? "work" : action) + ": say what you need in plain words";
    skills.push_back(skill_entry(capability, domain, action, std::move(description)));
    covered.push_back(domain);
  }
  for (const auto& domain : knight.domains)
    if (std::find(covered.begin(), covered.end(), domain) == covered.end())
      skills.push_back(skill_entry(domain, domain, "", "Anything in the " + domain + " domain: say what you need in plain words"));
  if (skills.empty()) skills.push_back(skill_entry("ask", knight.name, "", "Ask " + knight.name + " anything"));
  return skills;
}

json agent_card(const Workspace& workspace, const CardContext& context) {
  const auto& knight = workspace.knight;
  json card = {
      {"name", knight.name},
      {"description", card_description(workspace)},
      {"version", context.version},
      {"provider", {{"organization", "Round Table fleet " + knight.fleet}, {"url", context.base_url}}},
      {"supportedInterfaces", json::array({{{"url", context.base_url + kRpcPath}, {"protocolBinding", "JSONRPC"},
                                            {"protocolVersion", kProtocolVersion}}})},
      {"capabilities", {{"streaming", true}, {"pushNotifications", false}, {"extendedAgentCard", false}}},
      {"defaultInputModes", json::array({"text/plain", "application/json"})},
      {"defaultOutputModes", json::array({"text/markdown", "text/plain"})},
      {"skills", card_skills(workspace)},
  };
  if (context.bearer_required) {
    card["securitySchemes"] = {{"bearer", {{"httpAuthSecurityScheme", {{"scheme", "Bearer"},
                                                                      {"description", "the gateway's GATEWAY_TOKEN"}}}}}};
    card["securityRequirements"] = json::array({{{"schemes", {{"bearer", {{"list", json::array()}}}}}}});
  }
  return card;
}

std::string base_url_from_host(const std::string& host_header) {
  if (host_header.empty() || host_header.size() > 255) return "";
  for (unsigned char c : host_header)
    if (!std::isalnum(c) && c != '.' && c != '-' && c != ':' && c != '[' && c != ']') return "";
  return "http://" + host_header;
}

}  // namespace rt::gateway::a2a
