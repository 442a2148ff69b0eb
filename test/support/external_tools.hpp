#pragma once
// Test support shared by every module's tests: where the shared corpus is,
// and running the external oracles (tshark, capinfos, tcpdump) through the
// shell.
#include <optional>
#include <string>

namespace opensoc::test {

/// $OPENSOC_CORPUS, else <source root>/../shared/corpus.
std::string corpus_dir();

/// Runs `cmd` through the shell; its stdout, or nullopt when it exits non-zero.
std::optional<std::string> run_command(const std::string& cmd);

/// Quotes `s` for the shell.
std::string shell_quote(const std::string& s);

}  // namespace opensoc::test
