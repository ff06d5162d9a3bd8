// ResponseParser: one HTTP/1.1 response read from pieces of any size, as nats-bridge's own HTTP
// client reads knight-gateway's answers: framing, caps, errors, and the same outcome wherever
// the pieces are split.
#include "roundtable/http/response_parser.hpp"

#include <limits>
#include <ostream>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace rt::http {
namespace {

using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

// Everything a caller can observe of a parse, to compare two of them.
struct Outcome {
  bool ok = true;  // every feed() returned true (and finish_at_close(), when called)
  bool head_complete = false;
  bool done = false;
  int status = 0;
  std::string content_type;
  std::string retry_after;
  bool keep_alive = false;
  std::string body;
  std::string error;
  size_t surplus = 0;
  bool reusable = false;
  bool operator==(const Outcome&) const = default;
};

std::ostream& operator<<(std::ostream& out, const Outcome& o) {
  return out << "{ok " << o.ok << ", head " << o.head_complete << ", done " << o.done << ", status " << o.status
             << ", type '" << o.content_type << "', retry '" << o.retry_after << "', keep-alive " << o.keep_alive
             << ", body '" << o.body << "', error '" << o.error << "', surplus " << o.surplus << ", reusable "
             << o.reusable << "}";
}

enum class AtEnd { stay_open, close };

// Feeds `bytes` cut at `cuts` (ascending offsets), then tells of the close if asked.
Outcome parse_in_pieces(std::string_view bytes, const std::vector<size_t>& cuts, AtEnd at_end = AtEnd::stay_open,
                        ResponseLimits limits = {}) {
  ResponseParser parser(limits);
  Outcome out;
  ResponseParser::BodySink sink = [&](const char* data, size_t size) {
    out.body.append(data, size);
    return true;
  };
  size_t from = 0;
  for (size_t to : cuts) {
    out.ok = parser.feed(bytes.data() + from, to - from, sink) && out.ok;
    from = to;
  }
  out.ok = parser.feed(bytes.data() + from, bytes.size() - from, sink) && out.ok;
  if (at_end == AtEnd::close) out.ok = parser.finish_at_close() && out.ok;
  out.head_complete = parser.head_complete();
  out.done = parser.done();
  out.status = parser.head().status;
  out.content_type = parser.head().content_type;
  out.retry_after = parser.head().retry_after;
  out.keep_alive = parser.head().keep_alive;
  out.error = parser.error();
  out.surplus = parser.surplus();
  out.reusable = parser.reusable();
  return out;
}

std::vector<size_t> every_byte(std::string_view bytes) {
  std::vector<size_t> cuts;
  for (size_t i = 1; i < bytes.size(); ++i) cuts.push_back(i);
  return cuts;
}

// Feeds `bytes` whole, and checks that fed byte by byte, and cut in two anywhere, they give the
// same outcome: every response of these tests is also a test of the pieces.
Outcome parse(std::string_view bytes, AtEnd at_end = AtEnd::stay_open, ResponseLimits limits = {}) {
  Outcome whole = parse_in_pieces(bytes, {}, at_end, limits);
  EXPECT_EQ(parse_in_pieces(bytes, every_byte(bytes), at_end, limits), whole) << "fed byte by byte: " << bytes;
  for (size_t cut = 0; cut <= bytes.size(); ++cut) {
    Outcome split = parse_in_pieces(bytes, {cut}, at_end, limits);
    if (split == whole) continue;
    ADD_FAILURE() << "cut at " << cut << ": " << split << " instead of " << whole << " for " << bytes;
    break;
  }
  return whole;
}

std::string error_of(std::string_view bytes, ResponseLimits limits = {}) {
  auto out = parse(bytes, AtEnd::stay_open, limits);
  EXPECT_FALSE(out.ok) << bytes;
  return out.error;
}

// A response read to its end, on a connection that may carry the next request.
Outcome reusable_after(int status, std::string body) {
  Outcome out;
  out.head_complete = out.done = out.keep_alive = out.reusable = true;
  out.status = status;
  out.body = std::move(body);
  return out;
}

TEST(ResponseParser, AContentLengthBodyIsHandedOverAndTheConnectionIsReusable) {
  auto expected = reusable_after(200, "{\"ok\":true}");
  expected.content_type = "application/json";
  EXPECT_EQ(parse("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 11\r\n\r\n{\"ok\":true}"), expected);
  EXPECT_EQ(parse("HTTP/1.1 202 Accepted\r\nContent-Length: 0\r\n\r\n"), reusable_after(202, ""));
}

TEST(ResponseParser, HeaderNamesMatchWithoutRegardToCaseAndValuesAreTrimmed) {
  auto expected = reusable_after(503, "no");
  expected.content_type = "text/plain";
  expected.retry_after = "7";
  EXPECT_EQ(parse("HTTP/1.1 503 Service Unavailable\r\ncOnTeNt-TyPe:\t text/plain \t\r\nRETRY-AFTER:  7 \r\n"
                  "X-Other: ignored\r\ncontent-length:2\r\n\r\nno"),
            expected);
}

TEST(ResponseParser, AChunkedBodyIsDecodedWithItsExtensionsAndTrailersIgnored) {
  EXPECT_EQ(parse("HTTP/1.1 200 OK\r\nTransfer-Encoding: Chunked\r\n\r\n"
                  "5;name=value;other\r\nhello\r\n1 ; ext\r\n,\r\nb\r\n 0123456789\r\n0\r\n"
                  "X-Trailer: one\r\nX-Other: two\r\n\r\n"),
            reusable_after(200, "hello, 0123456789"));
}

TEST(ResponseParser, UpperAndLowerCaseHexAndSixteenDigitChunkSizesAreRead) {
  EXPECT_EQ(parse("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0000000000000003\r\nabc\r\n"
                  "b\r\n0123456789a\r\nB\r\n0123456789b\r\n0\r\n\r\n"),
            reusable_after(200, "abc0123456789a0123456789b"));
  auto huge = parse("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffffff\r\nabc");
  EXPECT_TRUE(huge.ok) << huge;
  EXPECT_EQ(huge.body, "abc");
}

TEST(ResponseParser, ABodyWithoutLengthRunsUntilTheCloseAndTheConnectionIsNotReused) {
  std::string response = "HTTP/1.1 200 OK\r\n\r\nall of this";
  auto expected = reusable_after(200, "all of this");
  expected.reusable = false;
  EXPECT_EQ(parse(response, AtEnd::close), expected) << "the close delimited the body";
  expected.done = false;
  EXPECT_EQ(parse(response), expected);
}

TEST(ResponseParser, NoContentAndNotModifiedHaveNoBodyWhateverTheirHeadersSay) {
  for (int status : {204, 304}) {
    std::string line = "HTTP/1.1 " + std::to_string(status) + " Nothing\r\n";
    EXPECT_EQ(parse(line + "Content-Length: 42\r\n\r\n"), reusable_after(status, ""));
    EXPECT_EQ(parse(line + "Transfer-Encoding: chunked\r\n\r\n"), reusable_after(status, ""));
  }
}

TEST(ResponseParser, InterimResponsesAreSkippedWithTheirHeaders) {
  EXPECT_EQ(parse("HTTP/1.1 100 Continue\r\n\r\n"
                  "HTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload\r\nContent-Type: text/html\r\n"
                  "Connection: close\r\nContent-Length: 99\r\n\r\n"
                  "HTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\nok"),
            reusable_after(201, "ok"));
}

TEST(ResponseParser, ConnectionCloseEndsKeepAliveWhereverItIsInTheList) {
  auto closing = reusable_after(200, "");
  closing.keep_alive = closing.reusable = false;
  EXPECT_EQ(parse("HTTP/1.1 200 OK\r\nConnection: Upgrade ,, CLOSE\r\nContent-Length: 0\r\n\r\n"), closing);
  EXPECT_EQ(parse("HTTP/1.1 200 OK\r\nConnection: keep-alive\r\nConnection: close\r\nContent-Length: 0\r\n\r\n"),
            closing);
}

TEST(ResponseParser, AnHttp10ResponseKeepsTheConnectionOnlyWhenAskedTo) {
  auto closing = reusable_after(200, "x");
  closing.keep_alive = closing.reusable = false;
  EXPECT_EQ(parse("HTTP/1.0 200 OK\r\nContent-Length: 1\r\n\r\nx"), closing);
  EXPECT_EQ(parse("HTTP/1.0 200 OK\r\nConnection: Keep-Alive\r\nContent-Length: 1\r\n\r\nx"), reusable_after(200, "x"));
  EXPECT_EQ(parse("HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nx\r\n0\r\n\r\n"),
            closing)
      << "HTTP/1.0 with Transfer-Encoding has faulty framing: the connection closes after it (RFC 9112 §6.1)";
}

TEST(ResponseParser, BareLineFeedsEndLinesToo) {
  EXPECT_EQ(parse("HTTP/1.1 200 OK\nContent-Length: 3\n\nabc"), reusable_after(200, "abc"));
  EXPECT_EQ(parse("HTTP/1.1 200 OK\nTransfer-Encoding: chunked\n\n3\nabc\n0\n\n"), reusable_after(200, "abc"));
}

TEST(ResponseParser, AnEmptyReasonPhraseIsAccepted) {
  EXPECT_EQ(parse("HTTP/1.1 200 \r\nContent-Length: 0\r\n\r\n"), reusable_after(200, ""));
  EXPECT_EQ(parse("HTTP/1.1 200\r\nContent-Length: 0\r\n\r\n"), reusable_after(200, ""));
}

TEST(ResponseParser, BodyBytesReachTheSinkInRunsAsLargeAsThePieces) {
  std::string body(100000, 'b');
  std::string response = "HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n" + body;
  ResponseParser parser;
  std::vector<size_t> runs;
  auto sink = [&](const char*, size_t size) {
    runs.push_back(size);
    return true;
  };
  ASSERT_TRUE(parser.feed(response.data(), response.size(), sink));
  EXPECT_EQ(runs, std::vector<size_t>{100000});

  std::string chunked = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4000\r\n" + std::string(0x4000, 'c') +
                        "\r\n2\r\nzz\r\n0\r\n\r\n";
  ResponseParser again;
  runs.clear();
  ASSERT_TRUE(again.feed(chunked.data(), chunked.size(), sink));
  EXPECT_TRUE(again.done());
  EXPECT_EQ(runs, (std::vector<size_t>{0x4000, 2}));
  ResponseParser sinkless;
  EXPECT_TRUE(sinkless.feed(chunked.data(), chunked.size(), {})) << "an empty sink discards the body";
  EXPECT_TRUE(sinkless.done());
}

TEST(ResponseParser, BrokenStatusLinesAreErrors) {
  EXPECT_THAT(error_of("HTTP/2 200 OK\r\n\r\n"), HasSubstr("not an HTTP/1.x status line"));
  EXPECT_THAT(error_of("http/1.1 200 OK\r\n\r\n"), HasSubstr("not an HTTP/1.x status line"));
  EXPECT_THAT(error_of("ICY 200 OK\r\n\r\n"), HasSubstr("not an HTTP/1.x status line"));
  EXPECT_THAT(error_of("\r\nHTTP/1.1 200 OK\r\n\r\n"), HasSubstr("not an HTTP/1.x status line"));
  EXPECT_THAT(error_of("HTTP/1.1 2x0 OK\r\n\r\n"), HasSubstr("malformed status line"));
  EXPECT_THAT(error_of("HTTP/1.1 20 OK\r\n\r\n"), HasSubstr("malformed status line"));
  EXPECT_THAT(error_of("HTTP/1.1 2000 OK\r\n\r\n"), HasSubstr("malformed status line"));
  EXPECT_THAT(error_of("HTTP/1.1  200 OK\r\n\r\n"), HasSubstr("malformed status line"));
  EXPECT_THAT(error_of("HTTP/1.1 099 Low\r\n\r\n"), HasSubstr("status 099 is not in 100..599"));
  EXPECT_THAT(error_of("HTTP/1.1 600 High\r\n\r\n"), HasSubstr("status 600 is not in 100..599"));
  EXPECT_THAT(error_of("HTTP/1.1 200 O\x01K\r\n\r\n"), HasSubstr("control character in the reason phrase"));
  EXPECT_THAT(error_of("HTTP/1.1 200 OK\r\r\n\r\n"), HasSubstr("bare CR"));
}

TEST(ResponseParser, SwitchingProtocolsIsAnError) {
  EXPECT_THAT(error_of("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n"), HasSubstr("101"));
}

TEST(ResponseParser, MalformedHeaderLinesAreErrors) {
  std::string status = "HTTP/1.1 200 OK\r\n";
  EXPECT_THAT(error_of(status + "Content-Length : 1\r\n\r\nx"), HasSubstr("whitespace before the colon"));
  EXPECT_THAT(error_of(status + "X-A: one\r\n  two\r\n\r\n"), HasSubstr("obsolete line folding"));
  EXPECT_THAT(error_of(status + "X-A: one\r\n\ttwo\r\n\r\n"), HasSubstr("obsolete line folding"));
  EXPECT_THAT(error_of(status + "No colon here\r\n\r\n"), HasSubstr("without a colon"));
  EXPECT_THAT(error_of(status + ": empty name\r\n\r\n"), HasSubstr("invalid header name"));
  EXPECT_THAT(error_of(status + "X(A): b\r\n\r\n"), HasSubstr("invalid header name"));
  EXPECT_THAT(error_of(status + "X-A: b\x7f\r\n\r\n"), HasSubstr("control character in header"));
  EXPECT_THAT(error_of(status + std::string("X-A: b") + '\0' + "c\r\n\r\n"), HasSubstr("control character in header"));
  EXPECT_THAT(error_of(status + "X-A: b\rc\r\n\r\n"), HasSubstr("bare CR"));
}

TEST(ResponseParser, ContentLengthMustBePlainDigitsThatFitAndAgree) {
  std::string status = "HTTP/1.1 200 OK\r\n";
  for (std::string bad : {"-1", "+5", "5a", "0x10", "", "1 2", "5,", "18446744073709551616"})
    EXPECT_THAT(error_of(status + "Content-Length: " + bad + "\r\n\r\n"), HasSubstr("invalid Content-Length")) << bad;
  EXPECT_THAT(error_of(status + "Content-Length: 5, 6\r\n\r\n"), HasSubstr("conflicting Content-Length"));
  EXPECT_THAT(error_of(status + "Content-Length: 5\r\nContent-Length: 6\r\n\r\n"), HasSubstr("conflicting Content-Length"));
  EXPECT_EQ(parse(status + "Content-Length: 3, 3\r\nContent-Length: 003\r\n\r\nabc"), reusable_after(200, "abc"));
  auto largest = parse(status + "Content-Length: 18446744073709551615\r\n\r\nabc");
  EXPECT_TRUE(largest.ok);
  EXPECT_TRUE(largest.head_complete);
  EXPECT_FALSE(largest.done);
}

TEST(ResponseParser, TransferCodingsOtherThanChunkedAloneAreErrors) {
  std::string status = "HTTP/1.1 200 OK\r\n";
  EXPECT_THAT(error_of(status + "Transfer-Encoding: gzip, chunked\r\n\r\n"), HasSubstr("unsupported transfer coding \"gzip\""));
  EXPECT_THAT(error_of(status + "Transfer-Encoding: chunked, gzip\r\n\r\n"), HasSubstr("unsupported transfer coding"));
  EXPECT_THAT(error_of(status + "Transfer-Encoding: identity\r\n\r\n"), HasSubstr("unsupported transfer coding"));
  EXPECT_THAT(error_of(status + "Transfer-Encoding: chunked;q=1\r\n\r\n"), HasSubstr("unsupported transfer coding"));
  EXPECT_THAT(error_of(status + "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n"),
              HasSubstr("more than once"));
  EXPECT_THAT(error_of(status + "Transfer-Encoding:  \r\n\r\n"), HasSubstr("names no coding"));
  EXPECT_THAT(error_of(status + "Transfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n"),
              HasSubstr("both Transfer-Encoding and Content-Length"));
  EXPECT_THAT(error_of(status + "Content-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n"),
              HasSubstr("both Transfer-Encoding and Content-Length"));
}

TEST(ResponseParser, ChunkSizesAreReadStrictly) {
  std::string head = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
  for (std::string bad : {"", "xyz", " 5", "5 x", "-5", "0x5", "5\x01"})
    EXPECT_THAT(error_of(head + bad + "\r\n"), HasSubstr("invalid chunk size")) << bad;
  EXPECT_THAT(error_of(head + "00000000000000001\r\n"), HasSubstr("more than 16 hex digits"));
  EXPECT_THAT(error_of(head + "10000000000000000\r\n"), HasSubstr("more than 16 hex digits"));
}

TEST(ResponseParser, ChunkDataMustBeFollowedByExactlyOneLineEnd) {
  std::string head = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
  EXPECT_THAT(error_of(head + "3\r\nabcX\r\n0\r\n\r\n"), HasSubstr("not followed by CRLF"));
  EXPECT_THAT(error_of(head + "3\r\nabc\r\r\n0\r\n\r\n"), HasSubstr("not followed by CRLF"));
  EXPECT_THAT(error_of(head + "3\r\nabc\r\n\r\n0\r\n\r\n"), HasSubstr("invalid chunk size"));
}

TEST(ResponseParser, AnEndlessHeadFailsOnceItPassesTheCap) {
  std::string piece(64 * 1024, 'a');
  std::string status = "HTTP/1.1 200 OK\r\nX-Endless: ";
  piece.replace(0, status.size(), status);
  ResponseParser parser;
  size_t failed_at = 0;
  for (size_t fed = 0; fed < 10 * 1024 * 1024 && failed_at == 0; fed += piece.size()) {
    if (!parser.feed(piece.data(), piece.size(), {})) failed_at = fed + piece.size();
    piece.assign(piece.size(), 'a');
  }
  EXPECT_EQ(failed_at, 2 * piece.size()) << "the first 64 KiB fit the cap, the next byte does not";
  EXPECT_THAT(parser.error(), HasSubstr("the response head is larger than 65536 bytes"));
}

TEST(ResponseParser, EndlessHeaderLinesFailOnceTheyPassTheCap) {
  std::string line = "X-Filler: 0123456789abcdef\r\n";
  std::string piece = "HTTP/1.1 200 OK\r\n";
  while (piece.size() < 64 * 1024) piece += line;
  ResponseParser parser({.max_head_bytes = 64 * 1024, .max_headers = std::numeric_limits<size_t>::max()});
  EXPECT_FALSE(parser.feed(piece.data(), piece.size(), {}));
  EXPECT_THAT(parser.error(), HasSubstr("the response head is larger than 65536 bytes"));
  EXPECT_FALSE(parser.feed(piece.data(), piece.size(), {}));
}

TEST(ResponseParser, AHeadOfExactlyTheCapIsAcceptedAndOneByteMoreIsNot) {
  std::string head = "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\n";
  auto fits = parse(head + "x", AtEnd::stay_open, {.max_head_bytes = head.size()});
  EXPECT_TRUE(fits.done) << fits;
  auto over = parse(head + "x", AtEnd::stay_open, {.max_head_bytes = head.size() - 1});
  EXPECT_THAT(over.error, HasSubstr("larger than"));
}

TEST(ResponseParser, TheCapAppliesToEachHeadOnItsOwn) {
  std::string interim = "HTTP/1.1 100 Continue\r\nX-Pad: aaaaaaaaaa\r\n\r\n";
  std::string final_head = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n";
  auto out = parse(interim + final_head, AtEnd::stay_open, {.max_head_bytes = std::max(interim.size(), final_head.size())});
  EXPECT_TRUE(out.done) << out;
}

TEST(ResponseParser, MoreHeaderFieldsThanTheCapAreAnError) {
  std::string head = "HTTP/1.1 200 OK\r\nA: 1\r\nB: 2\r\nC: 3\r\n";
  EXPECT_TRUE(parse(head + "\r\n", AtEnd::close, {.max_headers = 3}).done);
  EXPECT_THAT(error_of(head + "D: 4\r\n\r\n", {.max_headers = 3}), HasSubstr("more than 3 header fields"));
}

TEST(ResponseParser, ChunkSizeLinesAndTrailersAreCappedLikeTheHead) {
  std::string head = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
  ResponseLimits limits{.max_head_bytes = head.size(), .max_headers = 2};
  EXPECT_THAT(error_of(head + "1;" + std::string(head.size(), 'e') + "\r\n", limits),
              HasSubstr("a chunk-size line is larger than"));
  EXPECT_THAT(error_of(head + "0\r\nX-T: " + std::string(head.size(), 't') + "\r\n\r\n", limits),
              HasSubstr("the trailer section is larger than"));
  EXPECT_THAT(error_of(head + "0\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n", limits), HasSubstr("more than 2 trailer fields"));
  EXPECT_TRUE(parse(head + "0\r\nA: 1\r\nB: 2\r\n\r\n", AtEnd::stay_open, limits).done);
}

TEST(ResponseParser, BytesAfterTheResponseAreSurplusAndTheConnectionIsNotReused) {
  auto expected = reusable_after(200, "ok");
  expected.surplus = 8;
  expected.reusable = false;
  EXPECT_EQ(parse("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokHTTP/1.1"), expected);

  ResponseParser parser;
  std::string response = "HTTP/1.1 204 No Content\r\n\r\n";
  ASSERT_TRUE(parser.feed(response.data(), response.size(), {}));
  EXPECT_TRUE(parser.reusable());
  EXPECT_TRUE(parser.feed("xyz", 3, {}));
  EXPECT_TRUE(parser.feed("", 0, {}));
  EXPECT_EQ(parser.surplus(), 3u);
  EXPECT_FALSE(parser.reusable());
  EXPECT_TRUE(parser.finish_at_close());
}

TEST(ResponseParser, AConnectionClosedEarlyCutsTheResponseShort) {
  EXPECT_THAT(parse("", AtEnd::close).error, HasSubstr("connection closed before the response head was complete"));
  EXPECT_THAT(parse("HTTP/1.1 200 OK\r\nContent-Le", AtEnd::close).error,
              HasSubstr("connection closed before the response head was complete"));
  EXPECT_THAT(parse("HTTP/1.1 100 Continue\r\n\r\n", AtEnd::close).error,
              HasSubstr("connection closed before the response head was complete"));
  EXPECT_THAT(parse("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc", AtEnd::close).error,
              HasSubstr("connection closed after 3 of 10 body bytes"));
  std::string chunked = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
  for (std::string cut : {"", "3\r", "3\r\nab", "3\r\nabc\r", "0\r\n", "0\r\nX-T: 1\r\n"}) {
    auto out = parse(chunked + cut, AtEnd::close);
    EXPECT_FALSE(out.ok) << cut;
    EXPECT_THAT(out.error, HasSubstr("connection closed inside the chunked body")) << cut;
  }
}

TEST(ResponseParser, ASinkThatRefusesStopsTheParseWithoutAnError) {
  ResponseParser parser;
  std::string response = "HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\nabc";
  size_t calls = 0;
  auto refuse = [&](const char*, size_t) {
    ++calls;
    return false;
  };
  EXPECT_FALSE(parser.feed(response.data(), response.size(), refuse));
  EXPECT_FALSE(parser.done());
  EXPECT_THAT(parser.error(), IsEmpty());
  EXPECT_FALSE(parser.feed("def", 3, refuse));
  EXPECT_FALSE(parser.finish_at_close());
  EXPECT_EQ(calls, 1u);
  EXPECT_THAT(parser.error(), IsEmpty());
}

TEST(ResponseParser, AfterAFailureNothingChanges) {
  ResponseParser parser;
  std::string broken = "HTTP/9.9 200 OK\r\n";
  EXPECT_FALSE(parser.feed(broken.data(), broken.size(), {}));
  std::string error = parser.error();
  ASSERT_THAT(error, Not(IsEmpty()));
  std::string valid = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n";
  EXPECT_FALSE(parser.feed(valid.data(), valid.size(), {}));
  EXPECT_FALSE(parser.feed("", 0, {}));
  EXPECT_FALSE(parser.finish_at_close());
  EXPECT_EQ(parser.error(), error);
  EXPECT_EQ(parser.surplus(), 0u);
  EXPECT_FALSE(parser.head_complete());
  EXPECT_FALSE(parser.reusable());
}

// parse() checks every response in pieces; these add some under tiny caps, and cut short.
TEST(ResponseParser, EveryResponseParsesTheSameWhereverItsPiecesAreSplit) {
  const std::vector<std::string> responses = {
      "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 11\r\n\r\n{\"ok\":true}",
      "HTTP/1.1 200 OK\nContent-Length: 3\n\nabcextra",
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;a=b\r\nhello\r\n1\r\n!\r\n0\r\nX-T: 1\r\n\r\n",
      "HTTP/1.1 200 OK\nTransfer-Encoding: chunked\n\n3\nabc\n0\n\nsurplus",
      "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: <x>\r\n\r\nHTTP/1.1 200 OK\r\n"
      "Retry-After: 3\r\nContent-Length: 1\r\n\r\nz",
      "HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 2\r\n\r\nhi",
      "HTTP/1.1 503 Busy\r\nRetry-After: 30\r\nConnection: close\r\n\r\nbody to the close",
      "HTTP/1.1 204 No Content\r\n\r\n",
      "HTTP/1.1 304 Not Modified\r\nContent-Length: 5\r\n\r\n",
      "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort",
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhel",
      // errors
      "HTTP/2 200 OK\r\n\r\n",
      "HTTP/1.1 101 Switching Protocols\r\n\r\n",
      "HTTP/1.1 200 OK\r\nBad Name: x\r\n\r\n",
      "HTTP/1.1 200 OK\r\nX: a\r\n folded\r\n\r\n",
      "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab",
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n",
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabcd\r\n",
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n12345678901234567\r\n",
      "HTTP/1.1 200 OK\r\nX-Pad: " + std::string(80, 'p') + "\r\n\r\n",
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1;" + std::string(100, 'e') + "\r\nx\r\n0\r\n\r\n",
  };
  for (const auto& response : responses) {
    for (AtEnd at_end : {AtEnd::stay_open, AtEnd::close}) (void)parse(response, at_end, {.max_head_bytes = 96, .max_headers = 4});
  }
}

}  // namespace
}  // namespace rt::http
