// GET /v1/models: OpenAI clients (Open WebUI, LibreChat, the SDKs) list models before chatting.
#include "roundtable/gateway/models_route.hpp"

#include <httplib.h>

#include "roundtable/gateway/chat_completions.hpp"
#include "roundtable/gateway/gateway.hpp"
#include "roundtable/llm/wire.hpp"

namespace rt::gateway {

using nlohmann::json;

std::string listed_model_id(const std::string& fleet, const std::string& agent) { return fleet + "/" + agent; }

json model_object(const ModelCard& card) {
  return {{"id", listed_model_id(card.fleet, card.agent)},
          {"object", "model"},
          {"created", card.created},
          {"owned_by", "roundtable"},
          {"roundtable",
           {{"agent", card.agent}, {"fleet", card.fleet}, {"role", card.role}, {"provider", card.provider}, {"model", card.model},
            {"domains", card.domains}}}};
}

json model_list(const ModelCard& card) { return {{"object", "list"}, {"data", json::array({model_object(card)})}}; }

void Gateway::handle_models(const httplib::Request& req, httplib::Response& res) {
  ModelCard card{config_.fleet, config_.agent, workspace_.knight.role, config_.provider, config_.model, workspace_.knight.domains,
                 started_unix_};
  auto reply = [&res](int status, const json& body) {
    res.status = status;
    res.set_content(llm::wire_text(body), "application/json");
  };
  if (req.matches.size() < 2) return reply(200, model_list(card));
  const std::string asked = req.matches[1];
  constexpr size_t kShown = 200;  // an id is echoed in the error, not a whole URL's worth
  if (asked == listed_model_id(card.fleet, card.agent)) return reply(200, model_object(card));
  reply(404, chat_error(404, "The model '" + asked.substr(0, kShown) + "' does not exist on this knight; it offers " +
                                 listed_model_id(card.fleet, card.agent), "model_not_found"));
}

}  // namespace rt::gateway
