#include "roundtable/nats/connection.hpp"

#include <thread>
#include <vector>

#include <nats/nats.h>

#include "roundtable/common/strings.hpp"
#include "roundtable/nats/kernel_rand_bytes.hpp"
#include "status_error.hpp"

namespace rt::nats {
namespace {

// Owns natsOptions for the duration of connect.
struct OptionsOwner {
  natsOptions* opts = nullptr;
  ~OptionsOwner() {
    if (opts) natsOptions_Destroy(opts);
  }
};

Status apply_auth_and_tls(natsOptions* opts, const NatsSettings& settings) {
  if (!settings.user.empty())
    if (auto s = natsOptions_SetUserInfo(opts, settings.user.c_str(), settings.password.c_str()); s != NATS_OK)
      return nats_error(s, "NATS_USER/NATS_PASSWORD");
  if (!settings.token.empty())
    if (auto s = natsOptions_SetToken(opts, settings.token.c_str()); s != NATS_OK) return nats_error(s, "NATS_TOKEN");
  if (!settings.creds_file.empty())
    if (auto s = natsOptions_SetUserCredentialsFromFiles(opts, settings.creds_file.c_str(), nullptr); s != NATS_OK)
      return nats_error(s, "NATS_CREDS file " + settings.creds_file);
  bool tls = !settings.tls_ca.empty() || !settings.tls_cert.empty();
  for (const auto& server : settings.servers) tls = tls || server.rfind("tls://", 0) == 0;
  if (!tls) return {};
  if (auto s = natsOptions_SetSecure(opts, true); s != NATS_OK) return nats_error(s, "TLS");
  if (!settings.tls_ca.empty())
    if (auto s = natsOptions_LoadCATrustedCertificates(opts, settings.tls_ca.c_str()); s != NATS_OK)
      return nats_error(s, "NATS_TLS_CA file " + settings.tls_ca);
  if (!settings.tls_cert.empty())
    if (auto s = natsOptions_LoadCertificatesChain(opts, settings.tls_cert.c_str(), settings.tls_key.c_str()); s != NATS_OK)
      return nats_error(s, "NATS_TLS_CERT/NATS_TLS_KEY files");
  return {};
}

}  // namespace

Subscription::~Subscription() {
  if (sub_) {
    natsSubscription_Unsubscribe(sub_);
    natsSubscription_Destroy(sub_);
  }
}

Subscription::Subscription(Subscription&& other) noexcept : sub_(other.sub_), handler_(std::move(other.handler_)) {
  other.sub_ = nullptr;
}

Subscription& Subscription::operator=(Subscription&& other) noexcept {
  if (this != &other) {
    if (sub_) {
      natsSubscription_Unsubscribe(sub_);
      natsSubscription_Destroy(sub_);
    }
    sub_ = other.sub_;
    handler_ = std::move(other.handler_);
    other.sub_ = nullptr;
  }
  return *this;
}

Result<Message> Subscription::next(std::chrono::milliseconds timeout) {
  natsMsg* msg = nullptr;
  natsStatus s = natsSubscription_NextMsg(&msg, sub_, timeout.count());
  if (s != NATS_OK) return nats_error(s, "next message");
  return Message(msg);
}

// nats.c calls these on its own threads; closure is the Connection.
struct ConnectionCallbacks {
  static void on_disconnected(natsConnection*, void* closure) {
    auto* self = static_cast<Connection*>(closure);
    if (self->connected_.exchange(false)) self->logger_.warn("nats.disconnected", {{"reconnecting", true}});
  }
  static void on_reconnected(natsConnection*, void* closure) {
    auto* self = static_cast<Connection*>(closure);
    self->connected_ = true;
    self->reconnects_++;
    self->logger_.info("nats.reconnected");
  }
  static void on_connected(natsConnection*, void* closure) {
    auto* self = static_cast<Connection*>(closure);
    self->connected_ = true;
    self->logger_.info("nats.connected", {{"after_retry", true}});
  }
  static void on_closed(natsConnection*, void* closure) {
    auto* self = static_cast<Connection*>(closure);
    self->connected_ = false;
    self->logger_.info("nats.closed");
    std::lock_guard lock(self->closed_mutex_);
    self->closed_ = true;
    self->closed_cv_.notify_all();
  }
  static void on_error(natsConnection*, natsSubscription*, natsStatus status, void* closure) {
    auto* self = static_cast<Connection*>(closure);
    self->logger_.warn("nats.async_error", {{"error", natsStatus_GetText(status)}});
  }
};

Result<std::unique_ptr<Connection>> Connection::connect(const NatsSettings& settings, Logger logger) {
  std::unique_ptr<Connection> conn(new Connection(std::move(logger)));
  // No spinning on nats.c's locks (its default tries each 2,000 times before sleeping): on a
  // pod's one or two cores the holder is usually descheduled, and the spin was ~13 % of the
  // bridge's instructions per task. The first nats_Open sets it for the process.
  keep_kernel_rand_bytes();
  if (auto s = nats_Open(0); s != NATS_OK) return nats_error(s, "NATS library");
  OptionsOwner owner;
  if (auto s = natsOptions_Create(&owner.opts); s != NATS_OK) return nats_error(s, "NATS options");
  natsOptions* opts = owner.opts;
  std::vector<const char*> servers;
  for (const auto& server : settings.servers) servers.push_back(server.c_str());
  if (auto s = natsOptions_SetServers(opts, servers.data(), static_cast<int>(servers.size())); s != NATS_OK)
    return nats_error(s, "NATS_URL");
  if (auto status = apply_auth_and_tls(opts, settings); !status) return status.error();
  natsOptions_SetName(opts, settings.connection_name.c_str());
  natsOptions_SetSendAsap(opts, true);  // otherwise pull requests and acks wait ~1 ms for a flush
  natsOptions_SetMaxReconnect(opts, -1);
  natsOptions_SetReconnectWait(opts, 250);
  natsOptions_SetReconnectJitter(opts, 100, 500);
  natsOptions_SetPingInterval(opts, 10'000);
  natsOptions_SetDisconnectedCB(opts, &ConnectionCallbacks::on_disconnected, conn.get());
  natsOptions_SetReconnectedCB(opts, &ConnectionCallbacks::on_reconnected, conn.get());
  natsOptions_SetClosedCB(opts, &ConnectionCallbacks::on_closed, conn.get());
  natsOptions_SetErrorHandler(opts, &ConnectionCallbacks::on_error, conn.get());
  // First try plainly, so bad credentials or TLS fail here with the server's reason; only
  // when nobody answers yet do we keep trying in the background.
  natsStatus s = natsConnection_Connect(&conn->nc_, opts);
  // nats.c 3.4 leaves the signature out of CONNECT when its first byte is 0 (one connect in 256
  // with NATS_CREDS; the server then refuses): the next attempt signs a fresh nonce.
  for (int attempt = 1; s == NATS_CONNECTION_AUTH_FAILED && !settings.creds_file.empty() && attempt < 4; ++attempt) {
    conn->nc_ = nullptr;
    s = natsConnection_Connect(&conn->nc_, opts);
  }
  if (s == NATS_NO_SERVER && settings.retry_on_failed_connect) {
    conn->nc_ = nullptr;
    natsOptions_SetRetryOnFailedConnect(opts, true, &ConnectionCallbacks::on_connected, conn.get());
    s = natsConnection_Connect(&conn->nc_, opts);
  }
  if (s == NATS_OK) {
    conn->connected_ = true;
    conn->logger_.info("nats.connected", {{"servers", redact_urls(settings.servers)}});
  } else if (s == NATS_NOT_YET_CONNECTED) {
    conn->logger_.warn("nats.not_yet_connected", {{"servers", redact_urls(settings.servers)}, {"retrying", true}});
  } else {
    return nats_error(s, "connect to NATS");
  }
  return conn;
}

Connection::~Connection() {
  if (!nc_) return;
  natsConnection_Close(nc_);
  std::unique_lock lock(closed_mutex_);
  if (closed_cv_.wait_for(lock, std::chrono::seconds(5), [this] { return closed_; }))
    natsConnection_Destroy(nc_);
  // else: the callback never came; leaking the handle is safer than freeing it under nats.c.
}

bool Connection::wait_connected(std::chrono::milliseconds timeout) const {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!connected_.load()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return true;
}

std::string Connection::last_error() const {
  const char* text = nullptr;
  natsStatus s = natsConnection_GetLastError(nc_, &text);
  if (text && *text) return text;
  return s == NATS_OK ? "" : natsStatus_GetText(s);
}

bool Connection::closed() const { return nc_ && natsConnection_IsClosed(nc_); }

Status Connection::publish(std::string_view subject, std::string_view data) {
  std::string subj(subject);
  return to_status(natsConnection_Publish(nc_, subj.c_str(), data.data(), static_cast<int>(data.size())), "publish " + subj);
}

Status Connection::publish_with_reply(std::string_view subject, std::string_view reply, std::string_view data) {
  std::string subj(subject), rep(reply);
  return to_status(natsConnection_PublishRequest(nc_, subj.c_str(), rep.c_str(), data.data(), static_cast<int>(data.size())),
                   "publish " + subj);
}

Result<Message> Connection::request(std::string_view subject, std::string_view data, std::chrono::milliseconds timeout) {
  std::string subj(subject);
  natsMsg* reply = nullptr;
  natsStatus s = natsConnection_Request(&reply, nc_, subj.c_str(), data.data(), static_cast<int>(data.size()), timeout.count());
  if (s != NATS_OK) return nats_error(s, "request " + subj);
  return Message(reply);
}

Result<Subscription> Connection::subscribe_sync(std::string_view subject) {
  std::string subj(subject);
  Subscription sub;
  if (auto s = natsConnection_SubscribeSync(&sub.sub_, nc_, subj.c_str()); s != NATS_OK) return nats_error(s, "subscribe " + subj);
  return sub;
}

Result<Subscription> Connection::subscribe(std::string_view subject, Subscription::Handler handler) {
  std::string subj(subject);
  Subscription sub;
  sub.handler_ = std::make_unique<Subscription::Handler>(std::move(handler));
  auto callback = [](natsConnection*, natsSubscription*, natsMsg* msg, void* closure) {
    (*static_cast<Subscription::Handler*>(closure))(Message(msg));
  };
  if (auto s = natsConnection_Subscribe(&sub.sub_, nc_, subj.c_str(), callback, sub.handler_.get()); s != NATS_OK)
    return nats_error(s, "subscribe " + subj);
  return sub;
}

Status Connection::flush(std::chrono::milliseconds timeout) {
  return to_status(natsConnection_FlushTimeout(nc_, timeout.count()), "flush");
}

void Connection::drain(std::chrono::milliseconds timeout) {
  if (drained_.exchange(true) || !nc_) return;
  // Flush what was published, then close. (natsConnection_Drain waits on pull subscriptions
  // that have nothing left to deliver, so it only ever ends at its timeout.)
  if (connected_.load()) natsConnection_FlushTimeout(nc_, timeout.count());
  natsConnection_Close(nc_);
}

std::string Connection::new_inbox() const {
  natsInbox* inbox = nullptr;
  natsInbox_Create(&inbox);
  std::string out = inbox ? inbox : "";
  natsInbox_Destroy(inbox);
  return out;
}

}  // namespace rt::nats
