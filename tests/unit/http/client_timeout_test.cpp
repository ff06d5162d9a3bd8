// httplib reports a lost connection and a read that ran out of time alike (Error::Read); only
// the time the call took tells them apart.
#include <gtest/gtest.h>

#include "roundtable/http/client_pool.hpp"

namespace rt::http {
namespace {

using namespace std::chrono_literals;

TEST(ClientTimeout, AReadThatFailedBeforeTheTimeoutLostItsConnection) {
  EXPECT_FALSE(is_timeout(httplib::Error::Read, 30ms, 600'000ms));
  EXPECT_FALSE(is_timeout(httplib::Error::Write, 599s, 600'000ms));
  EXPECT_TRUE(is_timeout(httplib::Error::Read, 600s, 600'000ms));
  EXPECT_TRUE(is_timeout(httplib::Error::Write, 601s, 600'000ms));
}

TEST(ClientTimeout, OtherErrorsAreNeverTimeouts) {
  for (auto error : {httplib::Error::Connection, httplib::Error::SSLConnection, httplib::Error::Canceled, httplib::Error::Unknown})
    EXPECT_FALSE(is_timeout(error, 3600s, 1000ms));
}

}  // namespace
}  // namespace rt::http
