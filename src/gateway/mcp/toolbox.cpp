#include "roundtable/mcp/toolbox.hpp"

#include <algorithm>
#include <set>

#include "roundtable/mcp/mcp_tool.hpp"

namespace rt::mcp {
namespace {

using Steady = std::chrono::steady_clock;

std::chrono::milliseconds relist_pause(int failures) {
  return std::min(std::chrono::milliseconds(60'000), std::chrono::milliseconds(1000) * (1 << std::min(failures, 6)));
}

}  // namespace

Toolbox::Toolbox(std::vector<ServerConfig> servers, gateway::ToolRegistry& registry, size_t max_output_bytes, Logger logger)
    : registry_(registry), max_output_bytes_(max_output_bytes), logger_(std::move(logger)) {
  for (size_t i = 0; i < servers.size(); ++i) {
    auto session = std::make_shared<Session>(std::move(servers[i]), logger_, [this, i] { mark_stale(i); });
    entries_.push_back({std::move(session), true, 0, Steady::now()});
  }
}

Toolbox::~Toolbox() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  for (auto& entry : entries_) entry.session->close();  // a listing under way fails at once
  if (refresher_.joinable()) refresher_.join();
}

void Toolbox::start() {
  if (entries_.empty()) return;
  {
    std::lock_guard lock(mutex_);
    for (auto& entry : entries_) entry.stale = false;  // a change notified while listing sets it again
  }
  std::vector<std::thread> listing;
  std::vector<char> listed(entries_.size(), 0);
  for (size_t i = 0; i < entries_.size(); ++i) listing.emplace_back([this, i, &listed] { listed[i] = refresh(entries_[i].session); });
  for (auto& thread : listing) thread.join();
  {
    std::lock_guard lock(mutex_);
    for (size_t i = 0; i < entries_.size(); ++i)
      if (!listed[i]) entries_[i] = {entries_[i].session, true, 1, Steady::now() + relist_pause(1)};
  }
  refresher_ = std::thread([this] { refresh_loop(); });
}

bool Toolbox::refresh(const std::shared_ptr<Session>& session) {
  const auto& config = session->config();
  auto tools = session->list_tools(Steady::now() + config.timeout);
  if (!tools) {
    logger_.warn("mcp.list_failed", {{"server", config.name}, {"error", tools.error().message}});
    return false;
  }
  std::vector<std::unique_ptr<gateway::Tool>> offered;
  std::vector<std::string> names;
  std::set<std::string> seen;
  size_t hidden = 0;
  for (auto& remote : *tools) {
    if (config.allowed_tools && std::find(config.allowed_tools->begin(), config.allowed_tools->end(), remote.name) == config.allowed_tools->end()) {
      ++hidden;
      continue;
    }
    auto name = tool_name(config.name, remote.name);
    if (!seen.insert(name).second) {
      logger_.warn("mcp.tool_name_clash", {{"server", config.name}, {"tool", remote.name}, {"name", name}});
      continue;
    }
    names.push_back(name);
    offered.push_back(make_mcp_tool(session, std::move(remote), max_output_bytes_, logger_));
  }
  if (config.allowed_tools)
    for (const auto& wanted : *config.allowed_tools)
      if (std::none_of(tools->begin(), tools->end(), [&](const RemoteTool& t) { return t.name == wanted; }))
        logger_.warn("mcp.allowed_tool_missing", {{"server", config.name}, {"tool", wanted}});
  registry_.replace_prefix(config.name + "__", std::move(offered));
  logger_.info("mcp.tools_listed", {{"server", config.name}, {"tools", names}, {"hidden", hidden}});
  return true;
}

void Toolbox::mark_stale(size_t index) {
  {
    std::lock_guard lock(mutex_);
    entries_[index].stale = true;
    entries_[index].failures = 0;
    entries_[index].due = Steady::now();
  }
  wake_.notify_all();
}

void Toolbox::refresh_loop() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    auto next = Steady::time_point::max();
    std::optional<size_t> due;
    for (size_t i = 0; i < entries_.size(); ++i) {
      if (!entries_[i].stale) continue;
      if (entries_[i].due <= Steady::now()) due = i;
      next = std::min(next, entries_[i].due);
    }
    if (!due) {
      if (next == Steady::time_point::max()) wake_.wait(lock);
      else wake_.wait_until(lock, next);
      continue;
    }
    auto session = entries_[*due].session;
    entries_[*due].stale = false;
    lock.unlock();
    bool listed = refresh(session);
    lock.lock();
    if (!listed && !entries_[*due].stale) {
      auto& entry = entries_[*due];
      entry.stale = true;
      entry.due = Steady::now() + relist_pause(++entry.failures);
    }
  }
}

}  // namespace rt::mcp
