#include "roundtable/cli/dashboard/sse_hub.hpp"

#include <algorithm>

namespace rt::cli::dashboard {

std::string SseHub::frame(const std::string& event, const std::string& data) { return "event: " + event + "\ndata: " + data + "\n\n"; }

std::shared_ptr<SseHub::Client> SseHub::join(const std::string& first) {
  std::lock_guard lock(mutex_);
  if (closed_ || clients_.size() >= limits_.max_clients) return nullptr;
  auto client = std::make_shared<Client>();
  client->frames.push_back(first);
  clients_.push_back(client);
  return client;
}

void SseHub::leave(const std::shared_ptr<Client>& client) {
  std::lock_guard lock(mutex_);
  clients_.erase(std::remove(clients_.begin(), clients_.end(), client), clients_.end());
}

void SseHub::broadcast(const std::string& event, const std::string& data) {
  std::string text = frame(event, data);
  {
    std::lock_guard lock(mutex_);
    for (auto& client : clients_) {
      if (client->dropped) continue;
      if (client->frames.size() >= limits_.max_queue) {
        client->dropped = true;  // too slow: it reconnects and gets a fresh snapshot
        client->frames.clear();
        continue;
      }
      client->frames.push_back(text);
    }
  }
  changed_.notify_all();
}

bool SseHub::next(Client& client, std::string& frames) {
  std::unique_lock lock(mutex_);
  changed_.wait_for(lock, limits_.keepalive, [&] { return closed_ || client.dropped || !client.frames.empty(); });
  if (closed_ || client.dropped) return false;
  frames.clear();
  while (!client.frames.empty() && frames.size() < 256 * 1024) {
    frames += client.frames.front();
    client.frames.pop_front();
  }
  return true;
}

void SseHub::close() {
  {
    std::lock_guard lock(mutex_);
    closed_ = true;
  }
  changed_.notify_all();
}

size_t SseHub::clients() const {
  std::lock_guard lock(mutex_);
  return clients_.size();
}

}  // namespace rt::cli::dashboard
