#pragma once
// Task envelopes for one domain, serialized once: each next() only writes a fresh id (a uuid v4
// whose last 12 hex digits count up) into the same bytes, so publishing costs the driver little.
#include <cstdint>
#include <string>

namespace rt::bench {

inline constexpr const char* kFleet = "fleet-a";

class TaskFactory {
 public:
  // input_bytes > 0: params.input is a string of that many bytes (a large task).
  explicit TaskFactory(const std::string& domain, size_t input_bytes = 0, const std::string& action = "run");
  // Makes the next task current; its bytes, id and subject stay valid until the next call.
  void next();
  const std::string& bytes() const { return bytes_; }
  const std::string& id() const { return id_; }
  const std::string& subject() const { return subject_; }
  // The results subject the driver watches: <fleet>.results.<domain>.>
  const std::string& results_subject() const { return results_subject_; }

 private:
  std::string subject_, results_subject_, bytes_, id_;
  size_t id_at_ = 0;
  uint64_t counter_ = 0;
};

}  // namespace rt::bench
