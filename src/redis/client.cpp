#include "roundtable/redis/client.hpp"

#include <hiredis/hiredis.h>

namespace rt::redis {
namespace {

Reply convert(const redisReply* r) {
  Reply out;
  switch (r->type) {
    case REDIS_REPLY_STRING:
      out.kind = Reply::Kind::string;
      out.text.assign(r->str, r->len);
      break;
    case REDIS_REPLY_STATUS:
      out.kind = Reply::Kind::status;
      out.text.assign(r->str, r->len);
      break;
    case REDIS_REPLY_INTEGER:
      out.kind = Reply::Kind::integer;
      out.integer = r->integer;
      break;
    case REDIS_REPLY_ARRAY:
      out.kind = Reply::Kind::array;
      for (size_t i = 0; i < r->elements; ++i) out.elements.push_back(convert(r->element[i]));
      break;
    default: break;
  }
  return out;
}

bool is_auth_refusal(std::string_view error) {
  return error.rfind("NOAUTH", 0) == 0 || error.rfind("WRONGPASS", 0) == 0;
}

timeval to_timeval(std::chrono::milliseconds ms) {
  return timeval{static_cast<time_t>(ms.count() / 1000), static_cast<suseconds_t>((ms.count() % 1000) * 1000)};
}

}  // namespace

Client::Client(RedisUrl url, Logger logger, std::chrono::milliseconds timeout)
    : url_(std::move(url)), logger_(std::move(logger)), timeout_(timeout) {}

Client::~Client() {
  if (context_) redisFree(context_);
}

Status Client::connect_locked() {
  if (context_) {
    redisFree(context_);
    context_ = nullptr;
  }
  context_ = redisConnectWithTimeout(url_.host.c_str(), url_.port, to_timeval(timeout_));
  if (!context_ || context_->err) {
    std::string why = context_ ? context_->errstr : "out of memory";
    if (context_) redisFree(context_);
    context_ = nullptr;
    return make_error(ErrorCode::unavailable, "redis " + url_.host + ":" + std::to_string(url_.port) + ": " + why);
  }
  redisSetTimeout(context_, to_timeval(timeout_));
  auto handshake = [this](const std::vector<std::string>& args) -> Status {
    std::vector<const char*> argv;
    std::vector<size_t> lens;
    for (const auto& a : args) {
      argv.push_back(a.data());
      lens.push_back(a.size());
    }
    auto* r = static_cast<redisReply*>(redisCommandArgv(context_, static_cast<int>(argv.size()), argv.data(), lens.data()));
    if (!r) return make_error(ErrorCode::unavailable, std::string("redis: ") + context_->errstr);
    bool failed = r->type == REDIS_REPLY_ERROR;
    std::string text = failed ? std::string(r->str, r->len) : "";
    freeReplyObject(r);
    // The server's reply (e.g. WRONGPASS ...) never repeats the password; args may hold it.
    if (failed) return make_error(ErrorCode::unavailable, "redis " + args[0] + " failed: " + text + " (check REDIS_URL)");
    return {};
  };
  Status status;
  if (!url_.password.empty())
    status = url_.username.empty() ? handshake({"AUTH", url_.password}) : handshake({"AUTH", url_.username, url_.password});
  if (status && url_.db != 0) status = handshake({"SELECT", std::to_string(url_.db)});
  if (!status) {
    // A connection that failed its handshake is no connection: every command on it would fail
    // NOAUTH, so Redis counts as down (not merely erroring) until a handshake succeeds.
    redisFree(context_);
    context_ = nullptr;
  }
  return status;
}

Result<Reply> Client::run_locked(const std::vector<std::string>& args) {
  if (!context_)
    if (auto status = connect_locked(); !status) return status.error();
  std::vector<const char*> argv;
  std::vector<size_t> lens;
  for (const auto& a : args) {
    argv.push_back(a.data());
    lens.push_back(a.size());
  }
  auto* r = static_cast<redisReply*>(redisCommandArgv(context_, static_cast<int>(argv.size()), argv.data(), lens.data()));
  if (!r) {
    std::string why = context_->errstr;
    redisFree(context_);
    context_ = nullptr;
    return make_error(ErrorCode::unavailable, "redis: " + why);
  }
  if (r->type == REDIS_REPLY_ERROR) {
    std::string text(r->str, r->len);
    freeReplyObject(r);
    if (is_auth_refusal(text)) {
      // The server wants credentials we do not have (or it restarted with a new password).
      redisFree(context_);
      context_ = nullptr;
      return make_error(ErrorCode::unavailable, "redis refused " + args[0] + ": " + text + " (check REDIS_URL)");
    }
    return make_error(ErrorCode::internal_error, "redis " + args[0] + ": " + text);
  }
  Result<Reply> out = convert(r);
  freeReplyObject(r);
  return out;
}

Result<Reply> Client::command(const std::vector<std::string>& args) {
  std::lock_guard lock(mutex_);
  auto reply = run_locked(args);
  if (!reply && reply.error().code == ErrorCode::unavailable) reply = run_locked(args);  // one reconnect
  bool reached = reply || reply.error().code != ErrorCode::unavailable;
  if (reached != healthy_ || (!reached && !logged_down_)) {
    if (reached) logger_.info("redis.up", {{"host", url_.host}, {"port", url_.port}});
    else logger_.warn("redis.down", {{"host", url_.host}, {"port", url_.port}, {"error", reply.error().message}});
    logged_down_ = !reached;
  }
  healthy_ = reached;
  return reply;
}

bool Client::healthy() const {
  std::lock_guard lock(mutex_);
  return healthy_;
}

Status Client::ping() {
  auto reply = command({"PING"});
  if (!reply) return reply.error();
  return {};
}

Result<bool> Client::set_if_absent(const std::string& key, const std::string& value, std::chrono::milliseconds ttl) {
  auto reply = command({"SET", key, value, "NX", "PX", std::to_string(ttl.count())});
  if (!reply) return reply.error();
  return !reply->is_nil();
}

Status Client::set(const std::string& key, const std::string& value, std::optional<std::chrono::milliseconds> ttl) {
  auto reply = ttl ? command({"SET", key, value, "PX", std::to_string(ttl->count())}) : command({"SET", key, value});
  if (!reply) return reply.error();
  return {};
}

Result<std::optional<std::string>> Client::get(const std::string& key) {
  auto reply = command({"GET", key});
  if (!reply) return reply.error();
  if (reply->is_nil()) return std::optional<std::string>{};
  return std::optional<std::string>{reply->text};
}

Status Client::del(const std::string& key) {
  auto reply = command({"DEL", key});
  if (!reply) return reply.error();
  return {};
}

Status Client::hset(const std::string& key, const std::string& field, const std::string& value) {
  auto reply = command({"HSET", key, field, value});
  if (!reply) return reply.error();
  return {};
}

Result<std::map<std::string, std::string>> Client::hgetall(const std::string& key) {
  auto reply = command({"HGETALL", key});
  if (!reply) return reply.error();
  std::map<std::string, std::string> out;
  for (size_t i = 0; i + 1 < reply->elements.size(); i += 2) out[reply->elements[i].text] = reply->elements[i + 1].text;
  return out;
}

Result<int64_t> Client::incr_by(const std::string& key, int64_t amount) {
  auto reply = command({"INCRBY", key, std::to_string(amount)});
  if (!reply) return reply.error();
  return reply->integer;
}

Status Client::expire(const std::string& key, std::chrono::milliseconds ttl) {
  auto reply = command({"PEXPIRE", key, std::to_string(ttl.count())});
  if (!reply) return reply.error();
  return {};
}

Result<Reply> Client::eval(const std::string& script, const std::vector<std::string>& keys, const std::vector<std::string>& args) {
  std::vector<std::string> argv{"EVAL", script, std::to_string(keys.size())};
  argv.insert(argv.end(), keys.begin(), keys.end());
  argv.insert(argv.end(), args.begin(), args.end());
  return command(argv);
}

}  // namespace rt::redis
