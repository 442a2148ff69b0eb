// CSV feed loader (see the header). Runs on whichever thread loads a feed.
// RFC 4180 records, read with a cursor over the text; nothing here trusts the
// feed: every malformed row becomes a rejection with its line number.
#include "intel/intel_csv_loader.hpp"

#include <algorithm>
#include <array>
#include <optional>

#include "intel/feed_text.hpp"
#include "intel/indicator_fields.hpp"
#include "intel/indicator_intake.hpp"
#include "opensoc/core/time.hpp"

namespace opensoc::intel {
namespace {

// One record: its fields (unquoted, "" unescaped) and the line it starts on.
struct CsvRecord {
  std::vector<std::string> fields;
  std::size_t line = 0;
  bool comment_or_blank = false;
  bool unterminated_quote = false;
};

class CsvCursor {
 public:
  explicit CsvCursor(std::string_view text) : text_(text) {
    if (text_.size() >= 3 && text_.substr(0, 3) == "\xEF\xBB\xBF") pos_ = 3;  // UTF-8 byte order mark
  }

  bool next(CsvRecord& r) {
    if (pos_ >= text_.size()) return false;
    r.fields.clear();
    r.line = line_;
    r.comment_or_blank = false;
    r.unterminated_quote = false;
    // A comment or blank line is skipped whole, before any quote handling.
    std::size_t eol = text_.find('\n', pos_);
    if (eol == std::string_view::npos) eol = text_.size();
    const std::string_view first = trim_blanks(text_.substr(pos_, eol - pos_));
    if (first.empty() || first.front() == '#') {
      r.comment_or_blank = true;
      advance_line(eol);
      return true;
    }
    std::string field;
    bool quoted = false;
    bool was_quoted = false;
    while (pos_ < text_.size()) {
      const char c = text_[pos_];
      if (quoted) {
        if (c == '"') {
          if (pos_ + 1 < text_.size() && text_[pos_ + 1] == '"') {
            field.push_back('"');
            pos_ += 2;
            continue;
          }
          quoted = false;
          ++pos_;
          continue;
        }
        if (c == '\n') ++line_;
        field.push_back(c);
        ++pos_;
        continue;
      }
      if (c == '"' && trim_blanks(field).empty() && !was_quoted) {
        field.clear();  // spaces before an opening quote are not content
        quoted = true;
        was_quoted = true;
        ++pos_;
        continue;
      }
      if (c == ',') {
        push_field(r, field, was_quoted);
        was_quoted = false;
        ++pos_;
        continue;
      }
      if (c == '\n') {
        ++pos_;
        ++line_;
        push_field(r, field, was_quoted);
        return true;
      }
      field.push_back(c);
      ++pos_;
    }
    if (quoted) r.unterminated_quote = true;
    push_field(r, field, was_quoted);
    return true;
  }

 private:
  void advance_line(std::size_t eol) {
    pos_ = eol + 1;
    ++line_;
  }
  static void push_field(CsvRecord& r, std::string& field, bool was_quoted) {
    r.fields.push_back(was_quoted ? field : std::string(trim_blanks(field)));
    field.clear();
  }

  std::string_view text_;
  std::size_t pos_ = 0;
  std::size_t line_ = 1;
};

enum Column : std::size_t { kType, kValue, kConfidence, kSeverity, kExpires, kDescription, kSource, kId, kColumnCount };

std::optional<Column> column_of(std::string_view name) {
  static constexpr std::array<std::string_view, kColumnCount> kNames{"type",        "value",  "confidence", "severity",
                                                                    "expires",     "description", "source", "id"};
  std::string l;
  for (char c : trim_blanks(name)) l.push_back(ascii_lower(c));
  for (std::size_t i = 0; i < kNames.size(); ++i)
    if (l == kNames[i]) return static_cast<Column>(i);
  return std::nullopt;
}

}  // namespace

namespace detail {

Result<std::vector<Indicator>> parse_intel_csv(std::string_view text, const std::string& source, std::string_view origin,
                                               IntelLoadReport& report) {
  report.source = source;
  CsvCursor cursor(text);
  CsvRecord record;
  // Header: where each known column is, or npos.
  std::array<std::size_t, kColumnCount> at{};
  at.fill(std::string_view::npos);
  bool have_header = false;
  while (cursor.next(record)) {
    if (record.comment_or_blank) continue;
    for (std::size_t i = 0; i < record.fields.size(); ++i) {
      const auto col = column_of(record.fields[i]);
      if (col && at[*col] == std::string_view::npos) at[*col] = i;
    }
    if (at[kType] == std::string_view::npos || at[kValue] == std::string_view::npos)
      return Error{std::string(origin) + ":" + std::to_string(record.line) + ": header must name the columns 'type' and 'value'"};
    have_header = true;
    break;
  }
  if (!have_header) return Error{std::string(origin) + ": no header row (empty feed)"};

  const TimestampNs now = wall_clock_ns();
  std::vector<Indicator> out;
  while (cursor.next(record)) {
    if (record.comment_or_blank) continue;
    if (record.unterminated_quote) {
      report.reject(origin, record.line, "unterminated quoted field");
      continue;
    }
    if (record.fields.size() <= std::max(at[kType], at[kValue])) {
      report.reject(origin, record.line, "fewer fields than the header");
      continue;
    }
    auto field = [&](Column c) -> std::string_view {
      const std::size_t i = at[c];
      return i < record.fields.size() ? std::string_view(record.fields[i]) : std::string_view();
    };
    IndicatorFields f;
    f.type = field(kType);
    f.value = field(kValue);
    f.confidence = field(kConfidence);
    f.severity = field(kSeverity);
    f.expires = field(kExpires);
    f.description = field(kDescription);
    f.source = field(kSource);
    f.id = field(kId);
    take_or_reject(indicator_from_fields(f, source), now, origin, record.line, report, out);
  }
  return out;
}

}  // namespace detail

Result<std::vector<Indicator>> parse_intel_csv(std::string_view text, const std::string& source, IntelLoadReport& report) {
  return detail::parse_intel_csv(text, source, source, report);
}

}  // namespace opensoc::intel
