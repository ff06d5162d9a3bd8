#pragma once
// GET /v1/models and /v1/models/<id>: the one model a knight offers to chat clients, named
// `<fleet>/<agent>` so a client's model picker says which knight answers (docs/contract.md §6).
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace rt::gateway {

struct ModelCard {
  std::string fleet;
  std::string agent;
  std::string role;      // knight | lead
  std::string provider;  // the LLM behind it
  std::string model;
  std::vector<std::string> domains;
  int64_t created = 0;  // when the gateway started, Unix seconds
};

std::string listed_model_id(const std::string& fleet, const std::string& agent);
// {"id","object":"model","created","owned_by":"roundtable","roundtable":{agent, fleet, role, provider, model, domains}}
nlohmann::json model_object(const ModelCard& card);
// {"object":"list","data":[model_object]}
nlohmann::json model_list(const ModelCard& card);

}  // namespace rt::gateway
