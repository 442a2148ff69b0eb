// placeholder: being written (issue 8)
#include "logparse/kv_parser.hpp"
