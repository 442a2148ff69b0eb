#pragma once
/// LogLevel: how severe a log line is. Its own header so that the config
/// module can name it without pulling in the logger.
namespace opensoc::telemetry {

enum class LogLevel { debug = 0, info = 1, warning = 2, error = 3 };

}  // namespace opensoc::telemetry
