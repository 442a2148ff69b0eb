// placeholder: being written (issue 8)
#include "ingest/telemetry_receivers.hpp"
