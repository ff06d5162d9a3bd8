#pragma once
// A task's tree from the bus alone (ROUNDTABLE_EVENTS and ROUNDTABLE_RESULTS): the task, its
// attempts, the gateway's work in the answering attempt and its steps (LLM and tool calls, from the
// result's `steps`), and the tasks it delegated (their `parentTaskId`), recursively.
// A pure function of the messages, so the CLI and a dashboard draw the same tree.
#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "roundtable/common/time.hpp"
#include "roundtable/trace/task_trace.hpp"

namespace rt::cli {

// One message read back from a stream, parsed (untrusted: any field may be missing or mistyped).
struct BusRecord {
  std::string subject;
  nlohmann::json envelope;
  SystemTime stored;  // when the stream stored it
};

struct TraceAttempt {
  int number = 1;
  std::string agent;
  std::optional<SystemTime> start;  // task.claimed
  std::optional<SystemTime> end;    // task.retrying, the final answer, or none yet
  std::string outcome;              // completed | retrying: <code> | failed: <code> | running
};

struct GatewayWork {
  SystemTime start;
  SystemTime end;
  std::vector<trace::Step> steps;  // start_ms from `start`
};

struct TraceNode {
  std::string task_id;
  std::string task;    // <domain>.<action> when known, else <domain>
  std::string agent;   // who answered (or last claimed)
  std::string status;  // completed | failed | running
  std::string error;   // failure code and message
  std::optional<std::string> parent_task_id;
  std::string trace_id;
  std::optional<SystemTime> start, end;
  std::vector<TraceAttempt> attempts;
  std::optional<GatewayWork> gateway;  // of the attempt that answered
  std::string model;
  int64_t input_tokens = 0, output_tokens = 0;
  std::optional<double> cost_usd;
  std::vector<TraceNode> children;
};

// The tree rooted at `task_id`; nullopt when the records hold nothing about it.
std::optional<TraceNode> build_trace_tree(const std::string& task_id, const std::vector<BusRecord>& records);
// Every task in the tree, the root first.
size_t count_tasks(const TraceNode& node);
// Tokens and cost of the whole tree (known costs only).
int64_t total_tokens(const TraceNode& node);
double total_cost(const TraceNode& node);
nlohmann::json to_json(const TraceNode& node);

}  // namespace rt::cli
