// http::framing_of and http::ChunkedBody: a request's body framing read from its head, and the
// end of a chunked body found across reads.
#include <gtest/gtest.h>

#include "roundtable/http/request_framing.hpp"

namespace rt::http {
namespace {

using Kind = Framing::Kind;

Framing of(const std::string& headers) { return framing_of("POST /webhook HTTP/1.1\r\n" + headers + "\r\n", 1000); }

TEST(RequestFraming, ReadsTheBodysLengthOrCoding) {
  EXPECT_EQ(of("Host: x\r\n").kind, Kind::none);
  EXPECT_EQ(of("content-length: 12\r\n").kind, Kind::length);
  EXPECT_EQ(of("Content-Length:  12 \r\n").length, 12u);
  EXPECT_EQ(of("Content-Length: 12\r\nContent-Length: 12\r\n").kind, Kind::length) << "the same value twice is one length";
  EXPECT_EQ(of("Transfer-Encoding: Chunked\r\n").kind, Kind::chunked);
  EXPECT_EQ(of("Content-Length: 1001\r\n").kind, Kind::too_large);
}

TEST(RequestFraming, RefusesWhatTwoServersCouldReadTwoWays) {
  EXPECT_EQ(of("Content-Length: 5\r\nTransfer-Encoding: chunked\r\n").kind, Kind::invalid);
  EXPECT_EQ(of("Content-Length: 5\r\nContent-Length: 6\r\n").kind, Kind::invalid);
  EXPECT_EQ(of("Content-Length: -1\r\n").kind, Kind::invalid);
  EXPECT_EQ(of("Content-Length: 1e3\r\n").kind, Kind::invalid);
  EXPECT_EQ(of("Content-Length: 99999999999999999999999\r\n").kind, Kind::invalid);
  EXPECT_EQ(of("Transfer-Encoding: gzip, chunked\r\n").kind, Kind::invalid);
  EXPECT_EQ(of("Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n").kind, Kind::invalid);
}

TEST(ChunkedBody, FindsTheEndAcrossReadsAndLeavesWhatFollows) {
  const std::string body = "5;ext=1\r\nhello\r\n3\r\nabc\r\n0\r\nX-Trailer: t\r\n\r\n";
  ChunkedBody whole(1000);
  EXPECT_EQ(whole.feed(body + "GET /next HTTP/1.1\r\n"), ChunkedBody::State::complete);
  ChunkedBody bytewise(1000);
  for (size_t i = 0; i + 1 < body.size(); ++i) ASSERT_EQ(bytewise.feed(body.substr(i, 1)), ChunkedBody::State::incomplete) << i;
  EXPECT_EQ(bytewise.feed(body.substr(body.size() - 1)), ChunkedBody::State::complete);
}

TEST(ChunkedBody, RefusesBadFramingAndTooMuch) {
  EXPECT_EQ(ChunkedBody(1000).feed("-1\r\n"), ChunkedBody::State::invalid);
  EXPECT_EQ(ChunkedBody(1000).feed("zz\r\n"), ChunkedBody::State::invalid);
  EXPECT_EQ(ChunkedBody(1000).feed("2\r\nabc\r\n"), ChunkedBody::State::invalid) << "more data than its size";
  EXPECT_EQ(ChunkedBody(1000).feed("\r\n"), ChunkedBody::State::invalid) << "no size";
  EXPECT_EQ(ChunkedBody(1000).feed("ffffffffffffffffff\r\n"), ChunkedBody::State::invalid);
  EXPECT_EQ(ChunkedBody(1000).feed("400\r\n" + std::string(1024, 'a')), ChunkedBody::State::too_large);
  EXPECT_EQ(ChunkedBody(10000).feed(std::string(2000, '1')), ChunkedBody::State::invalid) << "an endless size line";
}

}  // namespace
}  // namespace rt::http
