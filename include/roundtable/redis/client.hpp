#pragma once
// A Redis client over hiredis: one connection, guarded by a mutex, reconnecting on demand.
#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "roundtable/common/log.hpp"
#include "roundtable/common/result.hpp"

struct redisContext;

namespace rt::redis {

struct RedisUrl {
  std::string host = "127.0.0.1";
  int port = 6379;
  std::string username;
  std::string password;
  int db = 0;
};
// redis://[[user]:password@]host[:port][/db]; errors name what is wrong (never the password).
Result<RedisUrl> parse_redis_url(std::string_view url);

struct Reply {
  enum class Kind { nil, string, integer, array, status } kind = Kind::nil;
  std::string text;  // string or status
  int64_t integer = 0;
  std::vector<Reply> elements;
  bool is_nil() const { return kind == Kind::nil; }
};

class Client {
 public:
  Client(RedisUrl url, Logger logger, std::chrono::milliseconds timeout = std::chrono::seconds(2));
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  // Runs one command; on a connection error reconnects once and retries.
  Result<Reply> command(const std::vector<std::string>& args);

  Status ping();
  bool healthy() const;  // the last command reached the server
  // SET key value NX PX ttl: true when this call set it.
  Result<bool> set_if_absent(const std::string& key, const std::string& value, std::chrono::milliseconds ttl);
  Status set(const std::string& key, const std::string& value, std::optional<std::chrono::milliseconds> ttl = std::nullopt);
  Result<std::optional<std::string>> get(const std::string& key);
  Status del(const std::string& key);
  Status hset(const std::string& key, const std::string& field, const std::string& value);
  Result<std::map<std::string, std::string>> hgetall(const std::string& key);
  Result<int64_t> incr_by(const std::string& key, int64_t amount);
  Status expire(const std::string& key, std::chrono::milliseconds ttl);
  Result<Reply> eval(const std::string& script, const std::vector<std::string>& keys, const std::vector<std::string>& args);

 private:
  Status connect_locked();
  Result<Reply> run_locked(const std::vector<std::string>& args);

  RedisUrl url_;
  Logger logger_;
  std::chrono::milliseconds timeout_;
  mutable std::mutex mutex_;
  redisContext* context_ = nullptr;
  bool healthy_ = false;
  bool logged_down_ = false;
};

}  // namespace rt::redis
