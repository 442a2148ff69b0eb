// placeholder: being written (issue 8)
#include "logparse/cef_parser.hpp"
