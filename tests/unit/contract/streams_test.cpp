// docs/contract.md §2: the four streams, exactly.
#include "roundtable/contract/streams.hpp"

#include <stdexcept>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "roundtable/contract/subjects.hpp"

namespace rt::contract {
namespace {

using namespace std::chrono_literals;
constexpr int32_t MiB = 1 << 20;

const StreamSpec& find(const std::vector<StreamSpec>& specs, const std::string& name) {
  for (const auto& spec : specs)
    if (spec.name == name) return spec;
  throw std::runtime_error("no stream " + name);
}

TEST(Streams, NamesInOrder) {
  auto specs = contract_streams();
  ASSERT_EQ(specs.size(), 5u);
  EXPECT_EQ(specs[0].name, "ROUNDTABLE_TASKS");
  EXPECT_EQ(specs[1].name, "ROUNDTABLE_RESULTS");
  EXPECT_EQ(specs[2].name, "ROUNDTABLE_EVENTS");
  EXPECT_EQ(specs[3].name, "ROUNDTABLE_HEARTBEAT");
  EXPECT_EQ(specs[4].name, "ROUNDTABLE_CANCELS");
  EXPECT_STREQ(kTasksStream, "ROUNDTABLE_TASKS");
  EXPECT_STREQ(kResultsStream, "ROUNDTABLE_RESULTS");
  EXPECT_STREQ(kEventsStream, "ROUNDTABLE_EVENTS");
  EXPECT_STREQ(kHeartbeatStream, "ROUNDTABLE_HEARTBEAT");
}

TEST(Streams, Tasks) {
  auto specs = contract_streams();
  const StreamSpec& s = find(specs, kTasksStream);
  EXPECT_EQ(s.subjects, std::vector<std::string>{"*.tasks.>"});
  EXPECT_EQ(s.retention, Retention::work_queue);
  EXPECT_EQ(s.storage, Storage::file);
  EXPECT_EQ(s.max_age, 24h);
  EXPECT_EQ(s.max_msg_size, 1 * MiB);
  EXPECT_EQ(s.duplicate_window, 2min);
  EXPECT_TRUE(s.discard_old);
  EXPECT_EQ(s.max_msgs_per_subject, -1);
}

TEST(Streams, Results) {
  auto specs = contract_streams();
  const StreamSpec& s = find(specs, kResultsStream);
  EXPECT_EQ(s.subjects, std::vector<std::string>{"*.results.>"});
  EXPECT_EQ(s.retention, Retention::limits);
  EXPECT_EQ(s.storage, Storage::file);
  EXPECT_EQ(s.max_age, 7 * 24h);
  EXPECT_EQ(s.max_msg_size, 4 * MiB);
  EXPECT_EQ(s.duplicate_window, 2min);
  EXPECT_EQ(s.max_msgs_per_subject, -1);
}

TEST(Streams, Events) {
  auto specs = contract_streams();
  const StreamSpec& s = find(specs, kEventsStream);
  EXPECT_EQ(s.subjects, std::vector<std::string>{"roundtable.events.>"});
  EXPECT_EQ(s.retention, Retention::limits);
  EXPECT_EQ(s.storage, Storage::file);
  EXPECT_EQ(s.max_age, 30 * 24h);
  EXPECT_EQ(s.max_msg_size, 1 * MiB);
  EXPECT_EQ(s.max_msgs_per_subject, -1);
}

TEST(Streams, Heartbeat) {
  auto specs = contract_streams();
  const StreamSpec& s = find(specs, kHeartbeatStream);
  EXPECT_EQ(s.subjects, std::vector<std::string>{"*.heartbeat.>"});
  EXPECT_EQ(s.retention, Retention::limits);
  EXPECT_EQ(s.storage, Storage::memory);
  EXPECT_EQ(s.max_age, 1h);
  EXPECT_EQ(s.max_msgs_per_subject, 5);
}

TEST(Streams, Cancels) {
  auto specs = contract_streams();
  const StreamSpec& s = find(specs, kCancelsStream);
  EXPECT_EQ(s.subjects, std::vector<std::string>{"*.cancel.>"});
  EXPECT_EQ(s.retention, Retention::limits);
  EXPECT_EQ(s.storage, Storage::file);
  EXPECT_EQ(s.max_age, 24h);
  EXPECT_EQ(s.max_msgs_per_subject, 1);
}

TEST(Streams, ReplicasFollowTheParameter) {
  for (const auto& s : contract_streams()) EXPECT_EQ(s.replicas, 1) << s.name;
  for (const auto& s : contract_streams(1)) EXPECT_EQ(s.replicas, 1) << s.name;
  for (const auto& s : contract_streams(3)) EXPECT_EQ(s.replicas, 3) << s.name;
}

TEST(Streams, EachSubjectBelongsToExactlyOneStream) {
  // NATS refuses streams whose subjects overlap; and each contract subject lands in its stream.
  auto specs = contract_streams();
  for (size_t i = 0; i < specs.size(); ++i)
    for (size_t j = i + 1; j < specs.size(); ++j)
      EXPECT_FALSE(subjects_overlap(specs[i].subjects[0], specs[j].subjects[0])) << specs[i].name << " vs " << specs[j].name;
  std::vector<std::string> samples{*task_subject("fleet-a", "security", "briefing"),
                                   *result_subject("fleet-a", "security", "0b6c3f1e-8a7d-4c2b-9e5f-1a2b3c4d5e6f"),
                                   *event_subject("fleet-a", "task.claimed"), *heartbeat_subject("fleet-a", "galahad"),
                                   *cancel_subject("fleet-a", "0b6c3f1e-8a7d-4c2b-9e5f-1a2b3c4d5e6f")};
  for (size_t i = 0; i < samples.size(); ++i)
    for (size_t j = 0; j < specs.size(); ++j)
      EXPECT_EQ(subjects_overlap(specs[j].subjects[0], samples[i]), i == j) << samples[i] << " in " << specs[j].name;
  // Peer subjects are core NATS only: no stream captures them.
  for (const auto& spec : specs) EXPECT_FALSE(subjects_overlap(spec.subjects[0], *peer_request_subject("fleet-b")));
}

}  // namespace
}  // namespace rt::contract
