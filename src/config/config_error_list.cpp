#include "config/config_error_list.hpp"

#include <fmt/format.h>

namespace opensoc::config {

std::string quoted(std::string_view text) {
  constexpr std::size_t kMaxShown = 60;
  std::string out = "'";
  const std::size_t shown = text.size() > kMaxShown ? kMaxShown : text.size();
  for (std::size_t i = 0; i < shown; ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x20 || c >= 0x7f) {
      out += fmt::format("\\x{:02x}", c);
    } else {
      out += static_cast<char>(c);
    }
  }
  if (shown < text.size()) out += "...";
  out += '\'';
  return out;
}

void ConfigErrorList::add(int line, int column, std::string_view key_path, std::string_view what) {
  ++count_;
  if (lines_.size() >= kMaxReported) return;
  lines_.push_back(fmt::format("{}:{}:{}: {}: {}", source_name_, line, column, key_path, what));
}

Error ConfigErrorList::to_error() const {
  std::string message;
  for (const auto& line : lines_) {
    if (!message.empty()) message += '\n';
    message += line;
  }
  if (count_ > lines_.size()) {
    message += fmt::format("\n{}: ... and {} more problems", source_name_, count_ - lines_.size());
  }
  return Error{std::move(message)};
}

}  // namespace opensoc::config
