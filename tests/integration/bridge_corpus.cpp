// Every file under tests/corpus/ (and a few generated giants) published to a running bridge:
// reject-* files each give exactly one task.rejected carrying their raw bytes (and one stored
// task.failed when their id is readable), accept-* files (valid, hostile content) exactly one
// result; nothing is redelivered and the next valid task completes.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "fixtures/bridge_test.hpp"
#include "roundtable/common/strings.hpp"
#include "roundtable/common/uuid.hpp"

namespace rt::testing {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

constexpr size_t kRejectChunkBytes = 512 * 1024;  // the bridge's task.rejected chunk size
const std::string kSubject = "fleet-a.tasks.security.briefing";

struct CorpusMessage {
  std::string name;
  std::string bytes;
  std::string id;  // the id placed in the message (or a fresh one used only as Nats-Msg-Id)
  bool accept = false;
};

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

void replace_all(std::string& text, const std::string& from, const std::string& to) {
  for (size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) text.replace(at, from.size(), to);
}

std::string envelope_with(const std::string& id, const std::string& from, const std::string& params) {
  return R"({"id":")" + id + R"(","version":"1.0","type":"task.request","from":")" + from + R"(","timestamp":")" +
         format_rfc3339(std::chrono::system_clock::now()) + R"(","ttl":600,"payload":{"task":"security.briefing","params":)" + params + "}}";
}

std::vector<CorpusMessage> load_corpus() {
  std::vector<CorpusMessage> messages;
  const std::string now = format_rfc3339(std::chrono::system_clock::now());
  for (const auto& entry : fs::directory_iterator(fs::path(RT_SOURCE_DIR) / "tests" / "corpus")) {
    CorpusMessage m{entry.path().filename().string(), read_file(entry.path()), make_uuid_v4()};
    m.accept = m.name.rfind("accept-", 0) == 0;
    replace_all(m.bytes, "@ID@", m.id);
    replace_all(m.bytes, "@TS@", now);
    messages.push_back(std::move(m));
  }
  // Too big to commit comfortably: generated here.
  auto add = [&](std::string name, auto make) {
    std::string id = make_uuid_v4();
    messages.push_back({std::move(name), make(id), id});
  };
  add("gen-deep-arrays-100000", [](const std::string& id) {
    return envelope_with(id, "tim", R"({"x":)" + std::string(100000, '[') + std::string(100000, ']') + "}");
  });
  add("gen-deep-objects-100000", [](const std::string& id) {
    std::string deep;
    for (int i = 0; i < 100000; ++i) deep += R"({"a":)";
    deep += "1" + std::string(100000, '}');
    return envelope_with(id, "tim", R"({"x":)" + deep + "}");
  });
  add("gen-unterminated-100000", [](const std::string&) { return std::string(100000, '['); });
  add("gen-1mib-string-in-from", [](const std::string& id) { return envelope_with(id, std::string(1000000, 'a'), "{}"); });
  add("gen-1mib-string-as-version", [](const std::string& id) {
    std::string bytes = envelope_with(id, "tim", "{}");
    replace_all(bytes, R"("version":"1.0")", R"("version":")" + std::string(1000000, '9') + "\"");
    return bytes;
  });
  return messages;
}

class BridgeCorpus : public BridgeTest {};

TEST_F(BridgeCorpus, EveryBadMessageIsRefusedOnceAndTheNextTaskCompletes) {
  auto messages = load_corpus();
  ASSERT_GE(messages.size(), 55u);
  auto& bridge = start_bridge();
  for (const auto& m : messages) {
    ASSERT_LT(m.bytes.size(), contract::kMaxTaskBytes) << m.name;
    bus_->publish_raw(kSubject, m.bytes, m.id);
  }
  auto next = bus_->publish_task("security.briefing");
  auto result = bus_->wait_result(next.id, std::chrono::seconds(120));
  ASSERT_TRUE(result) << "the valid task after the corpus was not answered";
  EXPECT_EQ((*result)["type"], "task.result");
  ASSERT_TRUE(eventually([&] {
    auto state = bus_->js().consumer_state("ROUNDTABLE_TASKS", "fleet-a-galahad-security");
    return state && state->ack_pending == 0 && state->pending == 0;
  }, std::chrono::seconds(120))) << "the corpus was not worked off";
  ASSERT_TRUE(bridge.process().running()) << "the bridge died on the corpus";

  // First part of each task.rejected (raw, size), parsed once.
  std::map<std::pair<std::string, size_t>, int> rejected;
  for (const auto& e : bus_->events().of_type("task.rejected")) {
    const json& p = e["payload"];
    if (p.value("part", 1) != 1) continue;
    ++rejected[{p.value("raw", ""), p.value("rawBytes", size_t{0})}];
  }
  const size_t expected_calls = 1 + std::count_if(messages.begin(), messages.end(), [](const auto& m) { return m.accept; });
  for (const auto& m : messages) {
    auto count = rejected[{base64_encode(std::string_view(m.bytes).substr(0, kRejectChunkBytes)), m.bytes.size()}];
    if (m.accept) {
      EXPECT_EQ(count, 0) << m.name << " is valid and must not be rejected";
      EXPECT_EQ(bus_->stored_results(m.id), 1u) << m.name << ": exactly one result";
      continue;
    }
    EXPECT_EQ(count, 1) << m.name << ": exactly one task.rejected carrying the raw bytes";
    if (contract::readable_id(m.bytes) == m.id) {
      EXPECT_EQ(bus_->stored_results(m.id), 1u) << m.name << ": exactly one task.failed under its id";
    }
  }
  EXPECT_EQ(gateway_->call_count(), expected_calls) << "only valid tasks reach the gateway";
  auto state = bus_->js().consumer_state("ROUNDTABLE_TASKS", "fleet-a-galahad-security");
  ASSERT_TRUE(state);
  EXPECT_EQ(state->redelivered, 0u) << "a refused message is terminated, never redelivered";
}

}  // namespace
}  // namespace rt::testing
