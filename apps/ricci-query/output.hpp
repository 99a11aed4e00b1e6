#pragma once
// One tabular result, printed as an aligned text table or as CSV; JSON is built per subcommand.
// Numbers keep full precision in CSV (shortest round-trip form) and four decimals in tables;
// undefined values are an empty CSV cell, "-" in a table and null in JSON.
#include <nlohmann/json.hpp>
#include <ostream>
#include <string>
#include <variant>
#include <vector>

namespace ricci::query {

using Json = nlohmann::ordered_json;

using Cell = std::variant<std::string, long long, double>;

struct Table {
  std::vector<std::string> columns;
  std::vector<std::vector<Cell>> rows;
};

enum class Format { table, csv, json };
Format parse_format(const std::string& text);

void print_text_table(std::ostream& out, const Table& table);
void print_csv(std::ostream& out, const Table& table);

// NaN and infinities become null.
Json number_or_null(double value);
// The shortest decimal text that reads back as the same double.
std::string round_trip(double value);

}  // namespace ricci::query
