#include "roundtable/http/metrics.hpp"

#include <charconv>
#include <cmath>
#include <stdexcept>

namespace rt::http {
namespace {

std::string escape_label(const std::string& value) {
  std::string out;
  for (char c : value) {
    if (c == '\\') out += "\\\\";
    else if (c == '"') out += "\\\"";
    else if (c == '\n') out += "\\n";
    else out += c;
  }
  return out;
}

std::string format_value(double v) {
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  if (std::isnan(v)) return "NaN";
  // The shortest text that reads back as the same double: a bucket of 0.1 renders le="0.1",
  // as every Prometheus client does, not le="0.10000000000000001".
  char buffer[32];
  auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, v);
  if (ec != std::errc()) return "NaN";
  return std::string(buffer, end);
}

// HELP text escapes backslash and newline (exposition format 0.0.4).
std::string escape_help(const std::string& help) {
  std::string out;
  for (char c : help) {
    if (c == '\\') out += "\\\\";
    else if (c == '\n') out += "\\n";
    else out += c;
  }
  return out;
}

std::string label_text(const Labels& labels, const std::string& extra_key = "", const std::string& extra_value = "") {
  if (labels.empty() && extra_key.empty()) return "";
  std::string out = "{";
  bool first = true;
  for (const auto& [k, v] : labels) {
    out += (first ? "" : ",") + k + "=\"" + escape_label(v) + "\"";
    first = false;
  }
  if (!extra_key.empty()) out += (first ? "" : ",") + extra_key + "=\"" + extra_value + "\"";
  return out + "}";
}

}  // namespace

MetricsRegistry::Family& MetricsRegistry::family(std::string_view name, Kind kind) {
  auto it = families_.find(name);
  if (it == families_.end() || it->second.kind != kind) throw std::logic_error("metric not registered: " + std::string(name));
  return it->second;
}

void MetricsRegistry::counter(const std::string& name, const std::string& help) {
  std::lock_guard lock(mutex_);
  families_.try_emplace(name, Family{Kind::counter, help, {}, {}});
}

void MetricsRegistry::gauge(const std::string& name, const std::string& help) {
  std::lock_guard lock(mutex_);
  families_.try_emplace(name, Family{Kind::gauge, help, {}, {}});
}

void MetricsRegistry::histogram(const std::string& name, const std::string& help, std::vector<double> buckets) {
  std::lock_guard lock(mutex_);
  families_.try_emplace(name, Family{Kind::histogram, help, std::move(buckets), {}});
}

void MetricsRegistry::add(std::string_view name, double amount, const Labels& labels) {
  std::lock_guard lock(mutex_);
  family(name, Kind::counter).series[labels].value += amount;
}

void MetricsRegistry::set(std::string_view name, double value, const Labels& labels) {
  std::lock_guard lock(mutex_);
  family(name, Kind::gauge).series[labels].value = value;
}

void MetricsRegistry::observe(std::string_view name, double value, const Labels& labels) {
  std::lock_guard lock(mutex_);
  Family& f = family(name, Kind::histogram);
  Series& s = f.series[labels];
  if (s.bucket_counts.empty()) s.bucket_counts.assign(f.buckets.size(), 0);
  for (size_t i = 0; i < f.buckets.size(); ++i)
    if (value <= f.buckets[i]) {
      ++s.bucket_counts[i];
      break;
    }
  ++s.count;
  s.sum += value;
}

double MetricsRegistry::value(std::string_view name, const Labels& labels) const {
  std::lock_guard lock(mutex_);
  auto it = families_.find(name);
  if (it == families_.end()) return 0;
  auto series = it->second.series.find(labels);
  return series == it->second.series.end() ? 0 : series->second.value;
}

std::string MetricsRegistry::render() const {
  std::lock_guard lock(mutex_);
  std::string out;
  for (const auto& [name, f] : families_) {
    const char* type = f.kind == Kind::counter ? "counter" : f.kind == Kind::gauge ? "gauge" : "histogram";
    out += "# HELP " + name + " " + escape_help(f.help) + "\n# TYPE " + name + " " + type + "\n";
    if (f.kind != Kind::histogram) {
      for (const auto& [labels, s] : f.series) out += name + label_text(labels) + " " + format_value(s.value) + "\n";
      if (f.series.empty() && f.kind == Kind::gauge) out += name + " 0\n";
      continue;
    }
    for (const auto& [labels, s] : f.series) {
      uint64_t cumulative = 0;
      for (size_t i = 0; i < f.buckets.size(); ++i) {
        cumulative += s.bucket_counts.empty() ? 0 : s.bucket_counts[i];
        out += name + "_bucket" + label_text(labels, "le", format_value(f.buckets[i])) + " " + std::to_string(cumulative) + "\n";
      }
      out += name + "_bucket" + label_text(labels, "le", "+Inf") + " " + std::to_string(s.count) + "\n";
      out += name + "_sum" + label_text(labels) + " " + format_value(s.sum) + "\n";
      out += name + "_count" + label_text(labels) + " " + std::to_string(s.count) + "\n";
    }
  }
  return out;
}

}  // namespace rt::http
