// placeholder: being written (issue 8)
#include "logparse/json_log_parser.hpp"
