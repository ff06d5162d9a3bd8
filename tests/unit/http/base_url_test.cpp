// GATEWAY_URL and the like: where to connect, and the path the routes hang under.
#include "roundtable/http/base_url.hpp"

#include <gtest/gtest.h>

namespace rt::http {
namespace {

TEST(BaseUrl, SplitsTheOriginFromThePathPrefix) {
  auto bare = split_base_url("http://127.0.0.1:18789");
  ASSERT_TRUE(bare);
  EXPECT_EQ(bare->origin, "http://127.0.0.1:18789");
  EXPECT_EQ(bare->route("/webhook"), "/webhook");

  auto prefixed = split_base_url("https://proxy.lan/team/galahad//");
  ASSERT_TRUE(prefixed);
  EXPECT_EQ(prefixed->origin, "https://proxy.lan");
  EXPECT_EQ(prefixed->path, "/team/galahad");
  EXPECT_EQ(prefixed->route("/webhook"), "/team/galahad/webhook");
  EXPECT_EQ(split_base_url("http://[::1]:80/")->route("/health"), "/health");
}

TEST(BaseUrl, RefusesWhatCannotPrefixARequestLine) {
  for (const char* url : {"", "ftp://host/x", "http://", "https:///path", "http://host/a?b=c", "http://host/a#frag",
                          "http://host/a b", "http://host/a\r\nX-Injected: 1", "127.0.0.1:80/x"})
    EXPECT_FALSE(split_base_url(url)) << url;
}

TEST(BaseUrl, AVersionAlreadyAtTheEndIsNotDoubled) {
  EXPECT_EQ(without_trailing_version(*split_base_url("http://gw:1/openclaw/v1"), "/v1").route("/v1/models"), "/openclaw/v1/models");
  EXPECT_EQ(without_trailing_version(*split_base_url("http://gw:1/v1/"), "/v1").route("/v1/models"), "/v1/models");
  EXPECT_EQ(without_trailing_version(*split_base_url("http://gw:1/apiv1"), "/v1").route("/v1/models"), "/apiv1/v1/models");
}

}  // namespace
}  // namespace rt::http
