#include "roundtable/trace/settings.hpp"

#include "roundtable/common/strings.hpp"

namespace rt::trace {

namespace {

std::string lookup(const std::map<std::string, std::string>& env, const char* name) {
  auto it = env.find(name);
  return it == env.end() ? std::string() : it->second;
}

bool truthy(const std::string& value) { return value == "true" || value == "TRUE" || value == "True" || value == "1"; }

}  // namespace

const std::vector<std::string>& otel_setting_names() {
  static const std::vector<std::string> names{"OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
                                              "OTEL_EXPORTER_OTLP_HEADERS",  "OTEL_EXPORTER_OTLP_TRACES_HEADERS",
                                              "OTEL_SERVICE_NAME",           "OTEL_RESOURCE_ATTRIBUTES",
                                              "OTEL_SDK_DISABLED"};
  return names;
}

std::vector<std::pair<std::string, std::string>> parse_key_values(const std::string& text) {
  std::vector<std::pair<std::string, std::string>> out;
  size_t start = 0;
  while (start <= text.size()) {
    size_t comma = text.find(',', start);
    std::string member = text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    auto eq = member.find('=');
    if (eq != std::string::npos) {
      std::string key = percent_decode(trim(std::string_view(member).substr(0, eq)));
      std::string value = percent_decode(trim(std::string_view(member).substr(eq + 1)));
      if (!key.empty()) out.emplace_back(std::move(key), std::move(value));
    }
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return out;
}

ExporterSettings exporter_settings(const std::map<std::string, std::string>& env, const std::string& default_service) {
  ExporterSettings settings;
  if (truthy(lookup(env, "OTEL_SDK_DISABLED"))) return settings;
  std::string traces = lookup(env, "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT");
  std::string base = lookup(env, "OTEL_EXPORTER_OTLP_ENDPOINT");
  if (!traces.empty()) {
    settings.endpoint = traces;
  } else if (!base.empty()) {
    while (!base.empty() && base.back() == '/') base.pop_back();
    settings.endpoint = base + "/v1/traces";
  }
  settings.headers = parse_key_values(lookup(env, "OTEL_EXPORTER_OTLP_HEADERS"));
  for (auto& header : parse_key_values(lookup(env, "OTEL_EXPORTER_OTLP_TRACES_HEADERS"))) settings.headers.push_back(std::move(header));
  std::string service = lookup(env, "OTEL_SERVICE_NAME");
  std::vector<Attribute> extra;
  for (auto& [key, value] : parse_key_values(lookup(env, "OTEL_RESOURCE_ATTRIBUTES"))) {
    if (key == "service.name") {
      if (service.empty()) service = value;
      continue;
    }
    extra.push_back({key, value});
  }
  settings.resource.attributes.push_back({"service.name", service.empty() ? default_service : service});
  settings.resource.attributes.push_back({"service.version", std::string(RT_VERSION)});
  settings.resource.attributes.push_back({"telemetry.sdk.name", std::string("roundtable")});
  settings.resource.attributes.push_back({"telemetry.sdk.language", std::string("cpp")});
  for (auto& attribute : extra) settings.resource.attributes.push_back(std::move(attribute));
  return settings;
}

}  // namespace rt::trace
