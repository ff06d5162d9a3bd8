#pragma once
// A failure that ends the benchmark run: a server that does not start, a task that never comes back.
#include <stdexcept>
#include <string>

namespace rt::bench {

struct BenchError : std::runtime_error {
  explicit BenchError(const std::string& what) : std::runtime_error(what) {}
};

}  // namespace rt::bench
