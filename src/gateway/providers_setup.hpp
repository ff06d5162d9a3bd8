#pragma once
#include <memory>

#include "roundtable/gateway/config.hpp"
#include "roundtable/http/metrics.hpp"
#include "roundtable/llm/providers.hpp"

namespace rt::gateway {
std::unique_ptr<llm::Provider> make_provider_chain(const GatewayConfig& config, const Workspace& workspace,
                                                   http::MetricsRegistry& metrics, const Logger& logger);
void register_gateway_metrics(http::MetricsRegistry& registry);
}  // namespace rt::gateway
