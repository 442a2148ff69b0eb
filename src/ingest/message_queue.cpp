// placeholder: being written (issue 8)
#include "ingest/message_queue.hpp"
