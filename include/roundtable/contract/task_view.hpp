#pragma once
// A task.request envelope as a bridge holds it: parsed once, without a tree of its payload.
//
// A held task already keeps its raw bytes (the message); a full tree of a 512 KiB payload would
// cost its size again. parse_task_envelope checks exactly what parse_envelope checks and fails
// with the same messages, but of the payload it keeps only the fields a bridge reads: task,
// responseFormat, maxTokens, conversation, and params (unless keep_params, only its type: an
// empty object, or an empty array, in its place). The raw bytes stay the task as sent.
// What is dropped is not even copied while parsing: its long strings are checked (valid JSON
// strings, as the lexer would) and passed over; long strings that are kept are decoded a run at
// a time. A 512 KiB task parses in about a fifth of nlohmann's time.
#include <string_view>

#include "roundtable/common/result.hpp"
#include "roundtable/contract/envelope.hpp"

namespace rt::contract {

struct TaskEnvelopeOptions {
  size_t max_bytes = kMaxTaskBytes;
  bool keep_params = false;  // true when the params are needed (a chat gateway renders them)
};

Result<Envelope> parse_task_envelope(std::string_view bytes, TaskEnvelopeOptions options = {});

}  // namespace rt::contract
