// placeholder: being written (issue 8)
#include "logparse/syslog_parser.hpp"
