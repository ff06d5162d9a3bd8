#include "task_factory.hpp"

#include <chrono>
#include <cstdio>

#include "bench_error.hpp"
#include "roundtable/contract/envelope.hpp"
#include "roundtable/contract/payloads.hpp"

namespace rt::bench {

TaskFactory::TaskFactory(const std::string& domain, size_t input_bytes, const std::string& action)
    : subject_(std::string(kFleet) + ".tasks." + domain + "." + action), results_subject_(std::string(kFleet) + ".results." + domain + ".>") {
  contract::TaskRequest request;
  request.task = domain + "." + action;
  if (input_bytes > 0) request.params = {{"input", std::string(input_bytes, 'x')}};
  auto env = contract::make_envelope("task.request", "bench", contract::to_json(request), std::chrono::system_clock::now());
  env.fleet = kFleet;
  bytes_ = contract::serialize(env);
  id_ = env.id;
  id_at_ = bytes_.find(id_);
  if (id_at_ == std::string::npos || id_.size() != 36) throw BenchError("task template has no readable id");
  next();
}

void TaskFactory::next() {
  char tail[13];
  std::snprintf(tail, sizeof tail, "%012llx", static_cast<unsigned long long>(++counter_));
  id_.replace(24, 12, tail, 12);
  bytes_.replace(id_at_ + 24, 12, tail, 12);
}

}  // namespace rt::bench
