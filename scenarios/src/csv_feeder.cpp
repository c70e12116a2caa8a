#include "scenarios/csv_feeder.h"

#include <set>
#include <vector>

namespace perfgate {
namespace {

struct CsvRow {
  int line = 0;  // 1-based line where the row starts
  std::vector<std::string> fields;
};

Error csv_error(const std::string& source, int line, const std::string& message) {
  return invalid_input(source + ":" + std::to_string(line) + ": " + message);
}

// Splits the text into rows, honouring quoted fields that span lines.
Result<std::vector<CsvRow>> split_rows(const std::string& text, const std::string& source) {
  std::vector<CsvRow> rows;
  CsvRow row;
  std::string field;
  int line = 1;
  row.line = 1;
  bool in_quotes = false;
  bool row_has_content = false;
  auto end_row = [&] {
    if (row_has_content) {
      row.fields.push_back(field);
      rows.push_back(row);
    }
    row = CsvRow{};
    field.clear();
    row_has_content = false;
  };
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_quotes) {
      if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
        field += '"';
        ++i;
      } else if (c == '"') {
        in_quotes = false;
      } else {
        if (c == '\n') ++line;
        field += c;
      }
      continue;
    }
    if (c == '"' && field.empty()) {
      in_quotes = true;
      row_has_content = true;
    } else if (c == ',') {
      row.fields.push_back(field);
      field.clear();
      row_has_content = true;
    } else if (c == '\n' || c == '\r') {
      if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
      end_row();
      ++line;
      row.line = line;
    } else {
      if (c == '"')
        return csv_error(source, line, "quote inside an unquoted field; quote the whole field and double the quote");
      field += c;
      row_has_content = true;
    }
  }
  if (in_quotes) return csv_error(source, row.line, "unterminated quoted field");
  end_row();
  return rows;
}

}  // namespace

Result<CsvFeeder> parse_csv_feeder(const std::string& text, const std::string& source_name) {
  auto rows = split_rows(text, source_name);
  if (!rows) return rows.error();
  if (rows->empty()) return invalid_input(source_name + ":1: empty file; a header row naming the columns is required");
  CsvFeeder feeder;
  feeder.path = source_name;
  const CsvRow& header = rows->front();
  std::set<std::string> seen;
  for (const std::string& column : header.fields) {
    if (column.empty()) return csv_error(source_name, header.line, "empty column name in the header row");
    if (!seen.insert(column).second) return csv_error(source_name, header.line, "duplicate column \"" + column + "\"");
  }
  feeder.columns = header.fields;
  for (size_t i = 1; i < rows->size(); ++i) {
    const CsvRow& r = (*rows)[i];
    if (r.fields.size() != feeder.columns.size()) {
      return csv_error(source_name, r.line,
                       "row has " + std::to_string(r.fields.size()) + " fields but the header has " +
                           std::to_string(feeder.columns.size()) + "; every row needs one value per column");
    }
    feeder.rows.push_back(r.fields);
  }
  if (feeder.rows.empty()) return csv_error(source_name, header.line, "no data rows after the header");
  return feeder;
}

}  // namespace perfgate
