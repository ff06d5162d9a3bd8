#pragma once
// httplib::Client serialises requests on one connection, so each in-flight task borrows its
// own keep-alive client from this pool and gives it back.
#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <httplib.h>

#include "roundtable/http/server_options.hpp"

namespace rt::http {

// Debian's bundle of the system's CA certificates (package ca-certificates).
inline constexpr const char* kSystemCaBundle = "/etc/ssl/certs/ca-certificates.crt";

// A read or write that ran out of time, as opposed to a refused or broken connection.
inline bool is_timeout(httplib::Error error) { return error == httplib::Error::Read || error == httplib::Error::Write; }
// The same for a call that failed `elapsed` after it began, with reads and writes allowed
// `timeout` each: httplib says Read for a lost connection too, but a read that ran out of time
// waited the whole timeout, so a call that failed sooner lost its connection.
inline bool is_timeout(httplib::Error error, std::chrono::steady_clock::duration elapsed, std::chrono::milliseconds timeout) {
  return is_timeout(error) && elapsed >= timeout;
}

class HttpClientPool {
 public:
  HttpClientPool(std::string base_url, std::chrono::milliseconds timeout) : base_url_(std::move(base_url)), timeout_(timeout) {}

  class Lease {
   public:
    Lease(HttpClientPool& pool, std::unique_ptr<httplib::Client> client) : pool_(pool), client_(std::move(client)) {}
    ~Lease() { pool_.give_back(std::move(client_)); }
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    httplib::Client& operator*() { return *client_; }
    httplib::Client* operator->() { return client_.get(); }

   private:
    HttpClientPool& pool_;
    std::unique_ptr<httplib::Client> client_;
  };

  Lease borrow() {
    std::lock_guard lock(mutex_);
    if (idle_.empty()) return Lease(*this, make());
    auto client = std::move(idle_.back());
    idle_.pop_back();
    return Lease(*this, std::move(client));
  }

 private:
  std::unique_ptr<httplib::Client> make() const {
    auto client = std::make_unique<httplib::Client>(base_url_);
    tune_client(*client, timeout_);
    client->enable_server_certificate_verification(true);
    if (base_url_.rfind("https://", 0) == 0) client->set_ca_cert_path(kSystemCaBundle);
    return client;
  }
  void give_back(std::unique_ptr<httplib::Client> client) {
    std::lock_guard lock(mutex_);
    idle_.push_back(std::move(client));
  }

  std::string base_url_;
  std::chrono::milliseconds timeout_;
  std::mutex mutex_;
  std::vector<std::unique_ptr<httplib::Client>> idle_;
};

}  // namespace rt::http
