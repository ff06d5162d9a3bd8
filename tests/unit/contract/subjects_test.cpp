#include <gtest/gtest.h>

#include "roundtable/contract/errors.hpp"
#include "roundtable/contract/payloads.hpp"
#include "roundtable/contract/streams.hpp"
#include "roundtable/contract/subjects.hpp"

namespace rt::contract {
namespace {

TEST(Subjects, BuildTheContractSubjects) {
  EXPECT_EQ(*task_subject("fleet-a", "security", "briefing"), "fleet-a.tasks.security.briefing");
  EXPECT_EQ(*result_subject("fleet-a", "security", "3f2b8c1e-9d4a-4b7e-8f21-6a5c0d9e1b42"),
            "fleet-a.results.security.3f2b8c1e-9d4a-4b7e-8f21-6a5c0d9e1b42");
  EXPECT_EQ(*event_subject("fleet-a", "task.claimed"), "roundtable.events.fleet-a.task.claimed");
  EXPECT_EQ(*heartbeat_subject("fleet-a", "galahad"), "fleet-a.heartbeat.galahad");
  EXPECT_EQ(*peer_request_subject("fleet-b"), "roundtable.peer.fleet-b.request");
  EXPECT_EQ(*peer_message_subject("fleet-b"), "roundtable.peer.fleet-b.message");
  EXPECT_EQ(*consumer_name("fleet-a", "galahad", "security"), "fleet-a-galahad-security");
  EXPECT_EQ(*consumer_filter("fleet-a", "security"), "fleet-a.tasks.security.>");
}

TEST(Subjects, RefuseIdentifiersThatWouldBreakSubjects) {
  for (const char* bad : {"a.b", "a*", ">", "a b", "", "A", "-a"}) {
    EXPECT_FALSE(task_subject(bad, "security", "x")) << bad;
    EXPECT_FALSE(task_subject("fleet-a", bad, "x")) << bad;
    EXPECT_FALSE(heartbeat_subject("fleet-a", bad)) << bad;
  }
  EXPECT_FALSE(result_subject("fleet-a", "security", "id.with.dots"));
  EXPECT_FALSE(event_subject("fleet-a", "task..claimed"));
  auto error = task_subject("fleet.a", "security", "x").error();
  EXPECT_EQ(error.code, ErrorCode::invalid_params);
  EXPECT_NE(error.message.find("fleet"), std::string::npos);
}

TEST(Subjects, ParseTaskSubjectsAndNames) {
  auto parsed = parse_task_subject("fleet-a.tasks.security.briefing");
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->fleet, "fleet-a");
  EXPECT_EQ(parsed->task(), "security.briefing");
  EXPECT_FALSE(parse_task_subject("fleet-a.results.security.x"));
  EXPECT_FALSE(parse_task_subject("fleet-a.tasks.security"));
  EXPECT_FALSE(parse_task_subject("fleet-a.tasks.security.a.b"));
  EXPECT_TRUE(parse_task_name("home.scene"));
  EXPECT_FALSE(parse_task_name("home"));
  EXPECT_FALSE(parse_task_name("home.scene.x"));
}

TEST(Subjects, OverlapFollowsNatsWildcards) {
  struct Row {
    const char *a, *b;
    bool overlap;
  };
  for (const auto& r : std::vector<Row>{{"fleet-a.tasks.security.>", "fleet-a.tasks.security.>", true},
                                        {"fleet-a.tasks.security.>", "fleet-a.tasks.comms.>", false},
                                        {"fleet-a.tasks.>", "fleet-a.tasks.comms.>", true},
                                        {"*.tasks.>", "fleet-b.tasks.x.y", true},
                                        {"fleet-a.tasks.*.briefing", "fleet-a.tasks.security.scan", false},
                                        {"fleet-a.tasks.*.briefing", "fleet-a.tasks.security.>", true},
                                        {"a.b", "a.b.c", false},
                                        {"a.>", "a", false}})
    EXPECT_EQ(subjects_overlap(r.a, r.b), r.overlap) << r.a << " vs " << r.b;
}

TEST(ErrorCodes, TheContractTable) {
  struct Row {
    ErrorCode code;
    const char* name;
    bool retryable;
  };
  for (const auto& r : std::vector<Row>{{ErrorCode::rate_limited, "rate_limited", true},
                                        {ErrorCode::timeout, "timeout", true},
                                        {ErrorCode::model_error, "model_error", true},
                                        {ErrorCode::gateway_unavailable, "gateway_unavailable", true},
                                        {ErrorCode::skill_missing, "skill_missing", false},
                                        {ErrorCode::invalid_params, "invalid_params", false},
                                        {ErrorCode::internal_error, "internal_error", true}}) {
    EXPECT_EQ(error_code_name(r.code), r.name);
    EXPECT_EQ(parse_error_code(r.name), std::optional<ErrorCode>(r.code));
    EXPECT_EQ(default_retryable(r.code), r.retryable) << r.name;
  }
  EXPECT_EQ(parse_error_code("nope"), std::nullopt);
  EXPECT_EQ(error_code_name(ErrorCode::config_error), "invalid_params") << "local codes collapse to wire codes";
}

TEST(Payloads, TaskRequestResultFailureProgressHeartbeat) {
  auto request = parse_task_request({{"task", "security.briefing"}, {"params", {{"a", 1}}}, {"maxTokens", 500}});
  ASSERT_TRUE(request);
  EXPECT_EQ(request->response_format, "markdown");
  EXPECT_EQ(request->max_tokens, std::optional<int64_t>(500));
  EXPECT_FALSE(parse_task_request({{"params", {}}}));
  EXPECT_FALSE(parse_task_request({{"task", "nodot"}}));
  EXPECT_FALSE(parse_task_request({{"task", "a.b"}, {"params", "x"}}));
  EXPECT_FALSE(parse_task_request({{"task", "a.b"}, {"maxTokens", -1}}));

  TaskResult result{"markdown", "hello", {"m", 1, 2, 3, 4, 2, {{"agent", "galahad"}}}};
  auto json_result = to_json(result);
  EXPECT_EQ(json_result["status"], "completed");
  auto back = parse_task_result(json_result);
  ASSERT_TRUE(back);
  EXPECT_EQ(back->content, "hello");
  EXPECT_EQ(back->metadata.cache_read_tokens, 3);
  EXPECT_EQ(back->metadata.extra["agent"], "galahad");

  auto failure = parse_task_failure({{"error", "weird_code"}, {"message", "x"}});
  ASSERT_TRUE(failure);
  EXPECT_EQ(failure->error, ErrorCode::internal_error);
  auto limited = parse_task_failure({{"error", "rate_limited"}, {"retryAfterSeconds", 30}});
  EXPECT_EQ(limited->retry_after_seconds, std::optional<int64_t>(30));
  EXPECT_TRUE(limited->retryable);

  auto progress = parse_progress({{"percent", 140}, {"message", "m"}, {"subTasks", {{{"id", "s1"}, {"status", "completed"}}}}});
  EXPECT_EQ(progress.percent, std::optional<int>(100));
  EXPECT_EQ(progress.sub_tasks.size(), 1u);

  Heartbeat hb;
  hb.capabilities = {"security.briefing"};
  hb.consumers = {{"fleet-a-galahad-security", 1, 2, 3}};
  auto hb_back = parse_heartbeat(to_json(hb));
  ASSERT_TRUE(hb_back);
  EXPECT_EQ(hb_back->consumers[0].ack_pending, 2u);
  EXPECT_EQ(to_json(hb)["consumers"][0]["ackPending"], 2);
}

TEST(Streams, MatchTheContractTable) {
  auto specs = contract_streams(3);
  ASSERT_EQ(specs.size(), 4u);
  using namespace std::chrono_literals;
  EXPECT_EQ(specs[0].name, "ROUNDTABLE_TASKS");
  EXPECT_EQ(specs[0].subjects, std::vector<std::string>{"*.tasks.>"});
  EXPECT_EQ(specs[0].retention, Retention::work_queue);
  EXPECT_EQ(specs[0].max_age, 24h);
  EXPECT_EQ(specs[0].max_msg_size, 1 << 20);
  EXPECT_EQ(specs[0].duplicate_window, 2min);
  EXPECT_TRUE(specs[0].discard_old);
  EXPECT_EQ(specs[1].name, "ROUNDTABLE_RESULTS");
  EXPECT_EQ(specs[1].subjects, std::vector<std::string>{"*.results.>"});
  EXPECT_EQ(specs[1].max_age, 7 * 24h);
  EXPECT_EQ(specs[1].max_msg_size, 4 << 20);
  EXPECT_EQ(specs[2].name, "ROUNDTABLE_EVENTS");
  EXPECT_EQ(specs[2].subjects, std::vector<std::string>{"roundtable.events.>"});
  EXPECT_EQ(specs[2].max_age, 30 * 24h);
  EXPECT_EQ(specs[3].name, "ROUNDTABLE_HEARTBEAT");
  EXPECT_EQ(specs[3].storage, Storage::memory);
  EXPECT_EQ(specs[3].max_age, 1h);
  EXPECT_EQ(specs[3].max_msgs_per_subject, 5);
  for (const auto& s : specs) {
    EXPECT_EQ(s.replicas, 3);
    if (s.name != "ROUNDTABLE_HEARTBEAT") {
      EXPECT_EQ(s.storage, Storage::file);
    }
  }
}

}  // namespace
}  // namespace rt::contract
