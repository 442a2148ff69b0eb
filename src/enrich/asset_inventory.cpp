// The asset inventory (see asset_inventory.hpp): CSV and YAML readers that
// turn an operator's file into AssetInfo values behind a prefix trie. Runs on
// the control thread at startup and on reload; find() runs on the indexer
// thread. A bad row is the operator's typo, not a reason to refuse the rest:
// it becomes a warning naming the file and line.
#include "enrich/asset_inventory.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>

namespace opensoc::enrich {
namespace {

std::string_view trim(std::string_view s) noexcept {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

std::string location(std::string_view name, std::size_t line) {
  return std::string(name) + ":" + std::to_string(line);
}

// One CSV line split into fields. RFC 4180 quoting within a line; a record
// spanning lines (newline inside quotes) is not supported and reported.
bool split_csv_line(std::string_view line, std::vector<std::string>& fields, std::string& why) {
  fields.clear();
  std::size_t i = 0;
  for (;;) {
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
    std::string field;
    if (i < line.size() && line[i] == '"') {
      ++i;
      bool closed = false;
      while (i < line.size()) {
        if (line[i] == '"') {
          if (i + 1 < line.size() && line[i + 1] == '"') {
            field += '"';
            i += 2;
            continue;
          }
          ++i;
          closed = true;
          break;
        }
        field += line[i++];
      }
      if (!closed) {
        why = "unterminated quoted field";
        return false;
      }
      while (i < line.size() && (line[i] == ' ' || line[i] == '\t' || line[i] == '\r')) ++i;
      if (i < line.size() && line[i] != ',') {
        why = "text after a closing quote";
        return false;
      }
    } else {
      const std::size_t start = i;
      while (i < line.size() && line[i] != ',') ++i;
      field = std::string(trim(line.substr(start, i - start)));
    }
    fields.push_back(std::move(field));
    if (i >= line.size()) return true;
    ++i;  // the comma
  }
}

// The whole file; a directory or an I/O error is an Error with errno's text.
Result<void> read_file(const std::string& path, std::string& out) {
  const std::unique_ptr<std::FILE, int (*)(std::FILE*)> file(std::fopen(path.c_str(), "rb"), &std::fclose);
  if (!file) return Error{std::strerror(errno)};
  char buf[65536];
  std::size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, file.get())) > 0) out.append(buf, n);
  if (std::ferror(file.get())) return Error{std::strerror(errno)};
  return ok();
}

}  // namespace

std::optional<Criticality> parse_criticality(std::string_view text) {
  const std::string word = lower(trim(text));
  if (word.empty()) return Criticality::unknown;
  if (word == "low" || word == "1") return Criticality::low;
  if (word == "medium" || word == "2") return Criticality::medium;
  if (word == "high" || word == "3") return Criticality::high;
  if (word == "critical" || word == "4") return Criticality::critical;
  return std::nullopt;
}

/// Collects rows, remembering the line each network came from so a
/// duplicate can name the row it replaces.
class AssetInventory::Builder {
 public:
  Builder(std::string_view name, std::vector<std::string>& warnings) : name_(name), warnings_(warnings) {}

  void warn(std::size_t line, const std::string& why) {
    warnings_.push_back(location(name_, line) + ": " + why);
    if (rejected_++ == 0) first_rejection_ = warnings_.back();
  }

  void add(std::size_t line, std::string_view cidr_text, std::string_view name, std::string_view owner,
           std::string_view role, std::string_view criticality_text) {
    const auto cidr = parse_cidr(cidr_text);
    if (!cidr) return warn(line, "'" + std::string(trim(cidr_text)) + "' is not an address or CIDR network");
    if (trim(name).empty()) return warn(line, "empty name");
    const auto criticality = parse_criticality(criticality_text);
    if (!criticality) {
      return warn(line, "criticality '" + std::string(trim(criticality_text)) +
                            "' is not low, medium, high, critical or 1-4");
    }
    AssetInfo info{std::string(trim(name)), std::string(trim(owner)), std::string(trim(role)), *criticality};
    if (const std::uint32_t* slot = inventory_.by_network_.find(cidr->first, cidr->second)) {
      warnings_.push_back(location(name_, line) + ": " + cidr->first.to_string() + "/" +
                          std::to_string(cidr->second) + " repeats line " + std::to_string(lines_[*slot]) +
                          "; this row replaces it");
      inventory_.assets_[*slot] = std::move(info);
      lines_[*slot] = line;
      return;
    }
    const auto slot = static_cast<std::uint32_t>(inventory_.assets_.size());
    inventory_.assets_.push_back(std::move(info));
    lines_.push_back(line);
    inventory_.by_network_.insert(cidr->first, cidr->second, slot);
  }

  Result<AssetInventory> finish() {
    if (inventory_.assets_.empty() && rejected_ > 0) {
      return Error{std::string(name_) + ": no usable asset rows (" + std::to_string(rejected_) + " rejected, first: " +
                   first_rejection_ + ")"};
    }
    return std::move(inventory_);
  }

 private:
  std::string_view name_;
  std::vector<std::string>& warnings_;
  AssetInventory inventory_;
  std::vector<std::size_t> lines_;  // parallel to inventory_.assets_
  std::size_t rejected_ = 0;
  std::string first_rejection_;
};

Result<AssetInventory> AssetInventory::parse_csv(std::string_view text, std::string_view name,
                                                 std::vector<std::string>& warnings) {
  if (text.size() >= 3 && text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);  // spreadsheet BOM
  Builder builder(name, warnings);
  enum Column : std::size_t { kCidr, kName, kOwner, kRole, kCriticality, kColumns };
  constexpr std::size_t kAbsent = static_cast<std::size_t>(-1);
  std::array<std::size_t, kColumns> column{kAbsent, kAbsent, kAbsent, kAbsent, kAbsent};
  std::size_t header_fields = 0;
  bool have_header = false;
  std::vector<std::string> fields;
  std::string why;
  std::size_t line_no = 0;
  while (!text.empty()) {
    const auto end = text.find('\n');
    const std::string_view line = text.substr(0, end);
    text.remove_prefix(end == std::string_view::npos ? text.size() : end + 1);
    ++line_no;
    const std::string_view content = trim(line);
    if (content.empty() || content.front() == '#') continue;
    if (!split_csv_line(content, fields, why)) {
      if (!have_header) return Error{location(name, line_no) + ": header row: " + why};
      builder.warn(line_no, why);
      continue;
    }
    if (!have_header) {
      for (std::size_t i = 0; i < fields.size(); ++i) {
        const std::string h = lower(fields[i]);
        std::size_t* target = nullptr;
        if (h == "cidr" || h == "address" || h == "ip") target = &column[kCidr];
        else if (h == "name") target = &column[kName];
        else if (h == "owner") target = &column[kOwner];
        else if (h == "role") target = &column[kRole];
        else if (h == "criticality") target = &column[kCriticality];
        if (target == nullptr) continue;  // extra columns (notes, tags) are the operator's business
        if (*target != kAbsent) return Error{location(name, line_no) + ": column '" + fields[i] + "' given twice"};
        *target = i;
      }
      if (column[kCidr] == kAbsent) {
        return Error{location(name, line_no) + ": header has no cidr (or address, ip) column"};
      }
      if (column[kName] == kAbsent) return Error{location(name, line_no) + ": header has no name column"};
      header_fields = fields.size();
      have_header = true;
      continue;
    }
    if (fields.size() != header_fields) {
      builder.warn(line_no, std::to_string(fields.size()) + " fields, the header has " + std::to_string(header_fields));
      continue;
    }
    auto field = [&](Column c) -> std::string_view { return column[c] == kAbsent ? std::string_view() : fields[column[c]]; };
    builder.add(line_no, field(kCidr), field(kName), field(kOwner), field(kRole), field(kCriticality));
  }
  if (!have_header) return Error{std::string(name) + ": no header row (expected e.g. cidr,name,owner,role,criticality)"};
  return builder.finish();
}

Result<AssetInventory> AssetInventory::parse_yaml(std::string_view text, std::string_view name,
                                                  std::vector<std::string>& warnings) {
  Builder builder(name, warnings);
  try {
    const YAML::Node root = YAML::Load(std::string(text));
    YAML::Node list;
    if (root.IsMap() && root["assets"]) {
      list = root["assets"];
    } else if (root.IsSequence()) {
      list = root;
    } else {
      return Error{std::string(name) + ": expected a top-level 'assets:' list"};
    }
    if (list.IsNull()) return builder.finish();
    if (!list.IsSequence()) return Error{location(name, list.Mark().line + 1) + ": 'assets' is not a list"};
    for (const auto& item : list) {
      const std::size_t line = static_cast<std::size_t>(item.Mark().line + 1);
      if (!item.IsMap()) {
        builder.warn(line, "asset is not a mapping of cidr, name, owner, role, criticality");
        continue;
      }
      std::string cidr, asset_name, owner, role, criticality;
      bool scalar_fields = true;
      for (const auto& kv : item) {
        const std::string key = lower(kv.first.Scalar());
        std::string* target = nullptr;
        if (key == "cidr" || key == "address" || key == "ip") target = &cidr;
        else if (key == "name") target = &asset_name;
        else if (key == "owner") target = &owner;
        else if (key == "role") target = &role;
        else if (key == "criticality") target = &criticality;
        if (target == nullptr) continue;
        if (kv.second.IsNull()) continue;
        if (!kv.second.IsScalar()) {
          builder.warn(line, "'" + key + "' is not a single value");
          scalar_fields = false;
          break;
        }
        *target = kv.second.Scalar();
      }
      if (!scalar_fields) continue;
      if (cidr.empty()) {
        builder.warn(line, "asset has no cidr (or address, ip)");
        continue;
      }
      builder.add(line, cidr, asset_name, owner, role, criticality);
    }
  } catch (const YAML::Exception& e) {
    return Error{std::string(name) + ": " + e.what()};
  }
  return builder.finish();
}

Result<AssetInventory> AssetInventory::load(const std::string& path, std::vector<std::string>& warnings) {
  const auto dot = path.rfind('.');
  const std::string extension = dot == std::string::npos ? std::string() : lower(path.substr(dot));
  if (extension != ".csv" && extension != ".yaml" && extension != ".yml") {
    return Error{"asset inventory " + path + ": unknown format (expected .csv, .yaml or .yml)"};
  }
  std::string text;
  if (auto read = read_file(path, text); !read) return read.error().context("cannot read asset inventory " + path);
  return extension == ".csv" ? parse_csv(text, path, warnings) : parse_yaml(text, path, warnings);
}

const AssetInfo* AssetInventory::find(const IpAddress& address) const noexcept {
  const std::uint32_t* slot = by_network_.longest_match(unmap_ipv4(address));
  return slot == nullptr ? nullptr : &assets_[*slot];
}

}  // namespace opensoc::enrich
