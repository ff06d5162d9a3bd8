#include "roundtable/cli/trace_view.hpp"

#include <algorithm>
#include <cstdio>
#include <vector>

#include "roundtable/common/strings.hpp"

namespace rt::cli {

namespace {

struct Row {
  std::string label;
  int depth = 0;
  std::optional<SystemTime> start, end;
  int64_t tokens = -1;
  std::optional<double> cost;
};

std::string tokens_text(int64_t in, int64_t out) { return std::to_string(in) + "/" + std::to_string(out); }

void add_task(const TraceNode& node, int depth, std::vector<Row>& rows) {
  std::string who = node.agent.empty() ? "" : " (" + node.agent + ")";
  size_t attempts = node.attempts.size();
  rows.push_back({node.task + who + " " + node.status + (attempts > 1 ? ", " + std::to_string(attempts) + " attempts" : "") +
                      (node.input_tokens || node.output_tokens ? ", " + tokens_text(node.input_tokens, node.output_tokens) + " tok" : ""),
                  depth, node.start, node.end, node.input_tokens + node.output_tokens, node.cost_usd});
  for (const auto& a : node.attempts) {
    rows.push_back({"attempt " + std::to_string(a.number) + (a.agent.empty() ? "" : " " + a.agent) + " " + a.outcome, depth + 1, a.start,
                    a.end, -1, std::nullopt});
    if (a.outcome != "completed" || !node.gateway) continue;
    const GatewayWork& g = *node.gateway;
    rows.push_back({"gateway" + (node.model.empty() ? "" : " " + node.model), depth + 2, g.start, g.end, -1, std::nullopt});
    for (const auto& s : g.steps) {
      auto start = g.start + std::chrono::milliseconds(s.start_ms);
      std::string label = s.name;
      if (s.input_tokens || s.output_tokens) label += " " + tokens_text(s.input_tokens, s.output_tokens) + " tok";
      if (s.finish_reason) label += " " + *s.finish_reason;
      if (s.error) label += " error";
      rows.push_back({label, depth + 3, start, start + std::chrono::milliseconds(s.duration_ms),
                      s.input_tokens || s.output_tokens ? s.input_tokens + s.output_tokens : -1, s.cost_usd});
    }
  }
  for (const auto& child : node.children) add_task(child, depth + 1, rows);
}

std::string duration_text(std::chrono::milliseconds d) {
  char text[32];
  if (d.count() < 1000) std::snprintf(text, sizeof text, "%lldms", static_cast<long long>(d.count()));
  else std::snprintf(text, sizeof text, "%.2fs", static_cast<double>(d.count()) / 1000.0);
  return text;
}

// Cuts to `width` display columns (bytes of a UTF-8 sequence stay together), pads with spaces.
std::string fit(const std::string& text, size_t width) {
  std::string out;
  size_t columns = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    bool continuation = (static_cast<unsigned char>(text[i]) & 0xC0) == 0x80;
    if (!continuation && columns == width) break;
    out += text[i];
    if (!continuation) ++columns;
  }
  return out + std::string(width - columns, ' ');
}

}  // namespace

std::string trace_waterfall(const TraceNode& root, int width) {
  std::vector<Row> rows;
  add_task(root, 0, rows);
  auto origin = root.start.value_or(root.end.value_or(SystemTime{}));
  SystemTime last = origin;
  for (const auto& r : rows) {
    if (r.start && *r.start < origin) origin = *r.start;
    if (r.end && *r.end > last) last = *r.end;
    if (r.start && *r.start > last) last = *r.start;
  }
  auto span_ms = std::max<int64_t>(1, std::chrono::duration_cast<std::chrono::milliseconds>(last - origin).count());

  const size_t label_width = 46, fixed = label_width + 1 + 9 + 1 + 9 + 1 + 7 + 1 + 9 + 2;
  const size_t bar_width = std::max<size_t>(10, width > 0 && static_cast<size_t>(width) > fixed + 2 ? static_cast<size_t>(width) - fixed - 2 : 10);
  char head[512];
  std::snprintf(head, sizeof head, "trace %s  %zu tasks  %s  %lld tokens  $%.4f\n", root.trace_id.empty() ? "-" : root.trace_id.c_str(),
                count_tasks(root), duration_text(std::chrono::milliseconds(span_ms)).c_str(), static_cast<long long>(total_tokens(root)),
                total_cost(root));
  std::string out = head;  // the trace id is parsed hex, every other field a number
  out += fit("TASK / ATTEMPT / STEP", label_width) + " " + fit("    START", 9) + " " + fit(" DURATION", 9) + " " + fit(" TOKENS", 7) + " " +
         fit("     COST", 9) + "\n";
  for (const auto& r : rows) {
    std::string label = std::string(static_cast<size_t>(r.depth) * 2, ' ') + terminal_safe(r.label);
    std::string start = r.start ? "+" + duration_text(std::chrono::duration_cast<std::chrono::milliseconds>(*r.start - origin)) : "-";
    std::string took = r.start && r.end ? duration_text(std::chrono::duration_cast<std::chrono::milliseconds>(*r.end - *r.start)) : "-";
    std::string tokens = r.tokens >= 0 ? std::to_string(r.tokens) : "";
    char cost[32] = "";
    if (r.cost) std::snprintf(cost, sizeof cost, "$%.4f", *r.cost);
    std::string bar(bar_width, ' ');
    if (r.start) {
      auto from = std::chrono::duration_cast<std::chrono::milliseconds>(*r.start - origin).count();
      auto to = r.end ? std::chrono::duration_cast<std::chrono::milliseconds>(*r.end - origin).count() : span_ms;
      size_t a = static_cast<size_t>(std::clamp<int64_t>(from * static_cast<int64_t>(bar_width) / span_ms, 0, static_cast<int64_t>(bar_width) - 1));
      size_t b = static_cast<size_t>(std::clamp<int64_t>(to * static_cast<int64_t>(bar_width) / span_ms, static_cast<int64_t>(a) + 1,
                                                         static_cast<int64_t>(bar_width)));
      for (size_t i = a; i < b; ++i) bar[i] = r.end ? '#' : '.';
    }
    char numbers[128];
    std::snprintf(numbers, sizeof numbers, "%9s %9s %7s %9s", start.c_str(), took.c_str(), tokens.c_str(), cost);
    out += fit(label, label_width) + " " + numbers + " |" + bar + "|\n";
  }
  return out;
}

}  // namespace rt::cli
