// `roundtable watch` prints bus text: nothing in a message may reach the terminal as a control
// character or an escape sequence.
#include <gtest/gtest.h>

#include <algorithm>

#include "roundtable/cli/views.hpp"

namespace rt::cli {
namespace {

using nlohmann::json;

bool has_raw_control(const std::string& line) {
  for (size_t i = 0; i < line.size(); ++i) {
    auto c = static_cast<unsigned char>(line[i]);
    if (c < 0x20 || c == 0x7f) return true;
    if (c == 0xc2 && i + 1 < line.size() && static_cast<unsigned char>(line[i + 1]) < 0xa0) return true;
    if (c >= 0x80 && c < 0xc0 && (i == 0 || static_cast<unsigned char>(line[i - 1]) < 0x80)) return true;
  }
  return false;
}

TEST(WatchEscapes, ControlCharactersInEveryFieldAreMadeVisible) {
  auto now = *parse_rfc3339("2026-02-08T15:00:00Z");
  const std::string evil = "\x1b]0;pwned\x07\x1b[2J\r\x9b" "31m\xc2\x9b" "1A\x7f\b";
  json doc = {{"id", evil}, {"type", "task.progress" + evil}, {"from", evil}, {"correlationId", evil},
              {"timestamp", "2026-02-08T15:00:00Z"}, {"payload", {{"agent", evil}, {"message", "hello" + evil}}}};
  for (std::string type : {"task.progress", "task.failed", "task.rejected", "knight.online", "heartbeat"}) {
    doc["type"] = type;
    doc["payload"]["error"] = evil;
    doc["payload"]["status"] = evil;
    doc["payload"]["reason"] = evil;
    doc["payload"]["domains"] = {evil};
    std::string line = watch_line("roundtable.events.fleet-a." + type, doc.dump(-1, ' ', false, json::error_handler_t::replace), now);
    EXPECT_FALSE(has_raw_control(line)) << type << ": " << line;
    EXPECT_NE(line.find("\\x1b"), std::string::npos) << type << ": " << line;
  }
  std::string subject_line = watch_line("fleet-a.results.x\x1b[2J", "not json", now);
  EXPECT_FALSE(has_raw_control(subject_line)) << subject_line;
}

TEST(WatchEscapes, HugeNumbersPrintWithoutUndefinedBehaviour) {
  auto now = *parse_rfc3339("2026-02-08T15:00:00Z");
  json doc = {{"type", "task.retrying"}, {"payload", {{"attempt", 1e300}, {"percent", -1e300}}}};
  std::string line;
  EXPECT_NO_THROW(line = watch_line("roundtable.events.fleet-a.task.retrying", doc.dump(), now));
  EXPECT_NE(line.find("attempt"), std::string::npos);
  doc["type"] = "task.progress";
  EXPECT_NO_THROW(line = watch_line("roundtable.events.fleet-a.task.progress", doc.dump(), now));
}

TEST(WatchEscapes, DeepNestingGivesALine) {
  auto now = *parse_rfc3339("2026-02-08T15:00:00Z");
  std::string deep = R"({"type":"task.progress","payload":{"x":)" + std::string(200000, '[') + std::string(200000, ']') + "}}";
  std::string line;
  EXPECT_NO_THROW(line = watch_line("roundtable.events.fleet-a.task.progress", deep, now));
  EXPECT_EQ(line.substr(0, 8), "15:00:00");
}

}  // namespace
}  // namespace rt::cli
