#pragma once
// `roundtable trace` output: the task tree as a waterfall, one line per task, attempt, gateway
// and step, with start offset, duration, tokens, cost and a bar scaled to the width.
#include <string>

#include "roundtable/cli/trace_tree.hpp"

namespace rt::cli {

// `width` is the whole line's (the terminal's columns); bars get what the text leaves, at least 10.
std::string trace_waterfall(const TraceNode& root, int width);

}  // namespace rt::cli
