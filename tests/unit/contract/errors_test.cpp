// docs/contract.md §4: the error code table.
#include "roundtable/contract/errors.hpp"

#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace rt::contract {
namespace {

struct CodeRow {
  ErrorCode code;
  std::string name;
  bool retryable;
};

const std::vector<CodeRow> kTable{
    {ErrorCode::rate_limited, "rate_limited", true},
    {ErrorCode::timeout, "timeout", true},
    {ErrorCode::model_error, "model_error", true},
    {ErrorCode::gateway_unavailable, "gateway_unavailable", true},
    {ErrorCode::skill_missing, "skill_missing", false},
    {ErrorCode::invalid_params, "invalid_params", false},
    {ErrorCode::internal_error, "internal_error", true},  // "maybe": retried by default
    {ErrorCode::cancelled, "cancelled", false},
};

TEST(ErrorCodes, EveryContractCodeHasItsWireName) {
  ASSERT_EQ(kTable.size(), 8u);
  for (const auto& row : kTable) {
    EXPECT_EQ(error_code_name(row.code), row.name);
    auto parsed = parse_error_code(row.name);
    ASSERT_TRUE(parsed.has_value()) << row.name;
    EXPECT_EQ(*parsed, row.code) << row.name;
    EXPECT_EQ(default_retryable(row.code), row.retryable) << row.name;
    EXPECT_EQ(to_wire_code(row.code), row.code) << row.name << " is already a wire code";
  }
}

TEST(ErrorCodes, UnknownNamesDoNotParse) {
  for (const char* name : {"", "RATE_LIMITED", "rate-limited", "unavailable", "not_found", "config_error", "io_error", "oops"})
    EXPECT_FALSE(parse_error_code(name).has_value()) << name;
}

TEST(ErrorCodes, LocalCodesCollapseBeforeTheWire) {
  EXPECT_EQ(to_wire_code(ErrorCode::not_found), ErrorCode::invalid_params);
  EXPECT_EQ(to_wire_code(ErrorCode::config_error), ErrorCode::invalid_params);
  EXPECT_EQ(to_wire_code(ErrorCode::unavailable), ErrorCode::gateway_unavailable);
  EXPECT_EQ(to_wire_code(ErrorCode::io_error), ErrorCode::internal_error);
  EXPECT_EQ(error_code_name(ErrorCode::unavailable), "gateway_unavailable");
  EXPECT_EQ(error_code_name(ErrorCode::config_error), "invalid_params");
  EXPECT_EQ(error_code_name(ErrorCode::io_error), "internal_error");
  EXPECT_EQ(error_code_name(ErrorCode::not_found), "invalid_params");
  EXPECT_TRUE(default_retryable(ErrorCode::unavailable));
  EXPECT_TRUE(default_retryable(ErrorCode::io_error));
  EXPECT_FALSE(default_retryable(ErrorCode::config_error));
  EXPECT_FALSE(default_retryable(ErrorCode::not_found));
}

}  // namespace
}  // namespace rt::contract
