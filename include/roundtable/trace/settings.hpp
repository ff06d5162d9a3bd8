#pragma once
// Where spans go, from the standard OpenTelemetry environment variables:
// OTEL_EXPORTER_OTLP_TRACES_ENDPOINT (as is) or OTEL_EXPORTER_OTLP_ENDPOINT (+ /v1/traces),
// OTEL_EXPORTER_OTLP_HEADERS / _TRACES_HEADERS, OTEL_SERVICE_NAME, OTEL_RESOURCE_ATTRIBUTES,
// OTEL_SDK_DISABLED. No endpoint: nothing is exported and spans cost nothing.
#include <chrono>
#include <map>
#include <string>
#include <vector>

#include "roundtable/trace/otlp_json.hpp"

namespace rt::trace {

struct ExporterSettings {
  std::string endpoint;  // full URL of the traces endpoint; empty: export off
  std::vector<std::pair<std::string, std::string>> headers;
  Resource resource;
  size_t max_queue = 2048;
  size_t max_batch = 512;
  std::chrono::milliseconds interval{1000};
  std::chrono::milliseconds timeout{5000};
  bool enabled() const { return !endpoint.empty(); }
};

// The OTEL_* variables the binaries read (also for the CLI's per-command environment list).
const std::vector<std::string>& otel_setting_names();
// `default_service` names the program when OTEL_SERVICE_NAME is unset.
ExporterSettings exporter_settings(const std::map<std::string, std::string>& env, const std::string& default_service);
// "k=v,k2=v2" with percent-encoded keys and values (W3C Baggage octets); bad members are skipped.
std::vector<std::pair<std::string, std::string>> parse_key_values(const std::string& text);

}  // namespace rt::trace
