// docs/contract.md §1 and §3: subjects and consumer names.
#include "roundtable/contract/subjects.hpp"

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "roundtable/contract/identifiers.hpp"

namespace rt::contract {
namespace {

template <typename T>
void expect_invalid(const Result<T>& result, const std::string& fragment) {
  ASSERT_FALSE(result.ok()) << "accepted: " << *result;
  EXPECT_EQ(result.error().code, ErrorCode::invalid_params);
  EXPECT_NE(result.error().message.find(fragment), std::string::npos) << result.error().message;
}

const std::vector<std::string> kBadIdentifiers{"", "a.b", "a*", ">", "a b", "Upper", "-lead", std::string(65, 'x'), "tab\t"};

TEST(Identifiers, Rules) {
  for (const char* good : {"a", "0", "fleet-a", "galahad", "a-", "9lives", "x-y-z"}) EXPECT_TRUE(is_identifier(good)) << good;
  EXPECT_TRUE(is_identifier(std::string(64, 'a')));
  for (const auto& bad : kBadIdentifiers) EXPECT_FALSE(is_identifier(bad)) << bad;
  EXPECT_FALSE(is_identifier("a_b"));
  EXPECT_FALSE(is_identifier("ünï"));
}

TEST(Subjects, TaskSubject) {
  EXPECT_EQ(*task_subject("fleet-a", "security", "briefing"), "fleet-a.tasks.security.briefing");
  expect_invalid(task_subject("fleet.a", "security", "briefing"), "fleet 'fleet.a'");
  expect_invalid(task_subject("fleet-a", "sec*", "briefing"), "domain 'sec*'");
  expect_invalid(task_subject("fleet-a", "security", ">"), "action '>'");
  for (const auto& bad : kBadIdentifiers) {
    EXPECT_FALSE(task_subject(bad, "d", "a").ok()) << bad;
    EXPECT_FALSE(task_subject("f", bad, "a").ok()) << bad;
    EXPECT_FALSE(task_subject("f", "d", bad).ok()) << bad;
  }
}

TEST(Subjects, ResultSubject) {
  EXPECT_EQ(*result_subject("fleet-a", "security", "0b6c3f1e-8a7d-4c2b-9e5f-1a2b3c4d5e6f"),
            "fleet-a.results.security.0b6c3f1e-8a7d-4c2b-9e5f-1a2b3c4d5e6f");
  expect_invalid(result_subject("fleet-a", "security", "a.b"), "task id 'a.b'");
  expect_invalid(result_subject("fleet-a", "security", "*"), "cannot be a subject token");
  expect_invalid(result_subject("fleet-a", "security", ">"), "cannot be a subject token");
  expect_invalid(result_subject("fleet-a", "security", "a b"), "cannot be a subject token");
  expect_invalid(result_subject("fleet-a", "security", ""), "cannot be a subject token");
  expect_invalid(result_subject("Fleet", "security", "id"), "fleet 'Fleet'");
  expect_invalid(result_subject("fleet-a", "se.c", "id"), "domain 'se.c'");
}

TEST(Subjects, EventSubject) {
  EXPECT_EQ(*event_subject("fleet-a", "task.claimed"), "roundtable.events.fleet-a.task.claimed");
  EXPECT_EQ(*event_subject("fleet-a", "knight.online"), "roundtable.events.fleet-a.knight.online");
  EXPECT_EQ(*event_subject("f", "heartbeat"), "roundtable.events.f.heartbeat");
  expect_invalid(event_subject("fleet-a", "task.*"), "event type 'task.*'");
  expect_invalid(event_subject("fleet-a", ""), "event type ''");
  expect_invalid(event_subject("fleet-a", "task..claimed"), "is not dotted identifiers");
  expect_invalid(event_subject("fleet a", "task.claimed"), "fleet 'fleet a'");
}

TEST(Subjects, HeartbeatSubject) {
  EXPECT_EQ(*heartbeat_subject("fleet-a", "galahad"), "fleet-a.heartbeat.galahad");
  expect_invalid(heartbeat_subject("fleet-a", "gala.had"), "agent 'gala.had'");
  expect_invalid(heartbeat_subject("", "galahad"), "fleet ''");
}

TEST(Subjects, PeerSubjects) {
  EXPECT_EQ(*peer_request_subject("fleet-b"), "roundtable.peer.fleet-b.request");
  EXPECT_EQ(*peer_message_subject("fleet-b"), "roundtable.peer.fleet-b.message");
  expect_invalid(peer_request_subject("fleet.b"), "fleet 'fleet.b'");
  expect_invalid(peer_message_subject("*"), "fleet '*'");
  expect_invalid(peer_message_subject(">"), "fleet '>'");
}

TEST(Subjects, ConsumerNameAndFilter) {
  EXPECT_EQ(*consumer_name("fleet-a", "galahad", "security"), "fleet-a-galahad-security");
  EXPECT_EQ(*consumer_filter("fleet-a", "security"), "fleet-a.tasks.security.>");
  expect_invalid(consumer_name("fleet-a", "Galahad", "security"), "agent 'Galahad'");
  expect_invalid(consumer_name("fleet.a", "galahad", "security"), "fleet 'fleet.a'");
  expect_invalid(consumer_name("fleet-a", "galahad", "sec urity"), "domain 'sec urity'");
  expect_invalid(consumer_filter("fleet-a", ">"), "domain '>'");
  expect_invalid(consumer_filter("*", "security"), "fleet '*'");
  // The filter covers every task subject of the domain and nothing else.
  EXPECT_TRUE(subjects_overlap(*consumer_filter("fleet-a", "security"), *task_subject("fleet-a", "security", "briefing")));
  EXPECT_FALSE(subjects_overlap(*consumer_filter("fleet-a", "security"), *task_subject("fleet-a", "home", "briefing")));
  EXPECT_FALSE(subjects_overlap(*consumer_filter("fleet-a", "security"), *task_subject("fleet-b", "security", "briefing")));
}

TEST(Subjects, ParseTaskSubject) {
  auto parsed = parse_task_subject("fleet-a.tasks.security.briefing");
  ASSERT_TRUE(parsed.has_value());
  EXPECT_EQ(parsed->fleet, "fleet-a");
  EXPECT_EQ(parsed->domain, "security");
  EXPECT_EQ(parsed->action, "briefing");
  EXPECT_EQ(parsed->task(), "security.briefing");
  for (const char* bad : {"", "fleet-a.tasks.security", "fleet-a.tasks.security.briefing.extra", "fleet-a.results.security.briefing",
                          "fleet-a.tasks.*.briefing", "fleet-a.tasks.security.>", "Fleet.tasks.security.briefing",
                          "fleet-a..security.briefing", "fleet-a.tasks.security.", ".tasks.security.briefing"})
    EXPECT_FALSE(parse_task_subject(bad).has_value()) << bad;
}

TEST(Subjects, ParseTaskName) {
  auto parsed = parse_task_name("security.briefing");
  ASSERT_TRUE(parsed.has_value());
  EXPECT_EQ(parsed->domain, "security");
  EXPECT_EQ(parsed->action, "briefing");
  for (const char* bad : {"", "security", "security.", ".briefing", "a.b.c", "Security.briefing", "security.brief ing",
                          "security.*", "security.>"})
    EXPECT_FALSE(parse_task_name(bad).has_value()) << bad;
}

TEST(Subjects, IsEventType) {
  for (const char* good : {"task.claimed", "task.progress", "task.retrying", "task.failed", "task.rejected", "task.deadletter",
                           "knight.online", "knight.offline", "heartbeat", "a.b.c"})
    EXPECT_TRUE(is_event_type(good)) << good;
  for (const char* bad : {"", ".", "task.", ".task", "task..claimed", "task claimed", "Task.claimed", "task.*", "task.>"})
    EXPECT_FALSE(is_event_type(bad)) << bad;
}

struct Overlap {
  const char* a;
  const char* b;
  bool overlap;
};

TEST(Subjects, OverlapTable) {
  const std::vector<Overlap> table{
      {"a.b.c", "a.b.c", true},
      {"a.b.c", "a.b.d", false},
      {"a.b", "a.b.c", false},
      {"a.*", "a.b", true},
      {"a.*", "a.b.c", false},
      {"a.>", "a.b.c", true},
      {"a.>", "a", false},
      {"a.>", "a.b", true},
      {">", "anything.at.all", true},
      {"*", "a", true},
      {"*", "a.b", false},
      {"*.tasks.>", "fleet-a.tasks.security.briefing", true},
      {"*.tasks.>", "fleet-a.results.security.x", false},
      {"fleet-a.tasks.security.>", "fleet-a.tasks.security.>", true},
      {"fleet-a.tasks.security.>", "fleet-a.tasks.home.>", false},
      {"fleet-a.tasks.security.>", "fleet-a.tasks.*.briefing", true},
      {"fleet-a.tasks.security.>", "fleet-a.tasks.>", true},
      {"fleet-a.tasks.security.>", "fleet-b.tasks.security.>", false},
      {"fleet-a.tasks.security.>", "*.tasks.security.>", true},
      {"fleet-a.tasks.security.briefing", "fleet-a.tasks.security.>", true},
      {"fleet-a.tasks.security", "fleet-a.tasks.security.>", false},
      {"a.*.c", "a.b.*", true},
      {"a.*.c", "a.b.d", false},
  };
  for (const auto& row : table) {
    EXPECT_EQ(subjects_overlap(row.a, row.b), row.overlap) << row.a << " vs " << row.b;
    EXPECT_EQ(subjects_overlap(row.b, row.a), row.overlap) << row.b << " vs " << row.a << " (symmetric)";
  }
}

}  // namespace
}  // namespace rt::contract
