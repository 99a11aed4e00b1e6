#include "output.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <iomanip>
#include <sstream>

#include "cli_util.hpp"

namespace ricci::query {

namespace {

std::string table_text(const Cell& cell) {
  if (const auto* text = std::get_if<std::string>(&cell)) return text->empty() ? "-" : *text;
  if (const auto* integer = std::get_if<long long>(&cell)) return std::to_string(*integer);
  const double value = std::get<double>(cell);
  if (!std::isfinite(value)) return "-";
  std::ostringstream s;
  // Fixed notation for the magnitudes results have; a corrupted or extreme value would print
  // hundreds of digits.
  if (std::abs(value) >= 1e15)
    s << std::setprecision(6) << value;
  else
    s << std::fixed << std::setprecision(4) << value;
  return s.str();
}

std::string csv_text(const Cell& cell) {
  if (const auto* text = std::get_if<std::string>(&cell)) {
    if (text->find_first_of(",\"\n\r") == std::string::npos) return *text;
    std::string quoted = "\"";
    for (char c : *text) quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
    return quoted + "\"";
  }
  if (const auto* integer = std::get_if<long long>(&cell)) return std::to_string(*integer);
  const double value = std::get<double>(cell);
  return std::isfinite(value) ? round_trip(value) : "";
}

}  // namespace

Format parse_format(const std::string& text) {
  cli::require_one_of("format", text, {"table", "csv", "json"});
  return text == "csv" ? Format::csv : text == "json" ? Format::json : Format::table;
}

std::string round_trip(double value) {
  char buffer[64];
  const auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
  return std::string(buffer, result.ptr);
}

Json number_or_null(double value) { return std::isfinite(value) ? Json(value) : Json(nullptr); }

void print_text_table(std::ostream& out, const Table& table) {
  std::vector<std::size_t> width(table.columns.size());
  std::vector<std::vector<std::string>> texts;
  for (std::size_t c = 0; c < table.columns.size(); ++c) width[c] = table.columns[c].size();
  for (const auto& row : table.rows) {
    std::vector<std::string> line;
    for (std::size_t c = 0; c < row.size(); ++c) {
      line.push_back(table_text(row[c]));
      width[c] = std::max(width[c], line.back().size());
    }
    texts.push_back(std::move(line));
  }
  // Text left-aligned, numbers right-aligned so their decimals line up; headers follow the first
  // row.
  auto emit = [&](const std::vector<std::string>& line, const std::vector<Cell>* cells) {
    for (std::size_t c = 0; c < line.size(); ++c) {
      const bool left = cells == nullptr || std::holds_alternative<std::string>((*cells)[c]);
      out << (c ? "  " : "") << (left ? std::left : std::right)
          << std::setw(static_cast<int>(width[c])) << line[c];
    }
    out << std::right << "\n";
  };
  emit(table.columns, table.rows.empty() ? nullptr : &table.rows.front());
  for (std::size_t r = 0; r < texts.size(); ++r) emit(texts[r], &table.rows[r]);
}

void print_csv(std::ostream& out, const Table& table) {
  for (std::size_t c = 0; c < table.columns.size(); ++c)
    out << (c ? "," : "") << csv_text(table.columns[c]);
  out << "\n";
  for (const auto& row : table.rows) {
    for (std::size_t c = 0; c < row.size(); ++c) out << (c ? "," : "") << csv_text(row[c]);
    out << "\n";
  }
}

}  // namespace ricci::query
