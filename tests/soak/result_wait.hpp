#pragma once
// Waiting for every published task to have a stored result, reading the stream back.
#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "soak/soak_bus.hpp"

namespace rt::soak {

using StoredResults = std::map<std::string, std::vector<StoredResult>>;

// Polls ROUNDTABLE_RESULTS until it holds a result for every published task, then returns them
// all; at the deadline returns the last complete read-back (nullopt when none succeeded).
std::optional<StoredResults> await_results(SoakBus& bus, std::chrono::steady_clock::time_point deadline);

}  // namespace rt::soak
