#pragma once
// The upstream Go nats-bridge's settings read as aliases of ours, so a knight deployed with them
// runs unchanged when only the image is swapped (docs/go-bridge.md has the mapping and why).
#include <vector>

#include "roundtable/bridge/config.hpp"
#include "roundtable/config/settings.hpp"

namespace rt::bridge {

// Adds to `layered` (knight.yaml < env < flags, already filled) the values our settings take
// from the Go bridge's environment names where ours are unset: ours win. Returns what to log.
// Throws config::ConfigError where a Go setting cannot mean here what it meant there (a subject
// outside <fleet>.tasks.<domain>.>, another result prefix, an endpoint that never answers).
std::vector<ConfigNotice> apply_go_bridge_aliases(config::Settings& layered, const config::EnvMap& env);

}  // namespace rt::bridge
